// The settings window's pages: Settings (the form and its Save/Cancel footer), Held back,
// Units and Activity. The navigation under the status line switches between them; the main
// process opens the window at a page from a tray menu line (api.onShowPage). Exactly one
// section is shown; the current button carries aria-current="page".
type PageName = import('../shared/page-views.js').PageName;

const PAGE_NAMES: readonly PageName[] = ['settings', 'held-back', 'units', 'activity'];

function isPageName(x: string | undefined): x is PageName {
  return PAGE_NAMES.includes(x as PageName);
}

/** The page shown now. */
function currentPage(): PageName {
  const shown = PAGE_NAMES.find((name) => !$(`page-${name}`).hidden);
  return shown ?? 'settings';
}

function showPage(page: PageName): void {
  for (const name of PAGE_NAMES) $(`page-${name}`).hidden = name !== page;
  for (const button of $('page-nav').querySelectorAll<HTMLButtonElement>('button[data-page]')) {
    if (button.dataset['page'] === page) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  // Save and Cancel belong to the form; the other pages act row by row.
  $('settings-footer').hidden = page !== 'settings';
}

function wirePages(): void {
  $('page-nav').addEventListener('click', (event) => {
    const page = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-page]')?.dataset['page'];
    if (isPageName(page)) showPage(page);
  });
  api.onPages(showPages);
  api.onShowPage((page) => {
    if (isPageName(page)) showPage(page);
  });
}
