// The settings window's Held back, Units and Activity pages: each fills its table from the
// view the main process computed (electron/main/pages-view.ts; every time is already local,
// every sentence already written). Nothing is decided here. Text goes in with textContent,
// never as HTML: file names and reasons come from the field and the server.
type PagesView = import('../shared/page-views.js').PagesView;
type PageView<Row> = import('../shared/page-views.js').PageView<Row>;

/** A table row of plain-text cells (the first one a row header), with an optional class per cell. */
function tableRow(cells: readonly (string | { readonly text: string; readonly className: string })[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  cells.forEach((cell, i) => {
    const td = document.createElement(i === 0 ? 'th' : 'td');
    if (i === 0) td.setAttribute('scope', 'row');
    if (typeof cell === 'string') td.textContent = cell;
    else {
      td.textContent = cell.text;
      td.className = cell.className;
    }
    tr.append(td);
  });
  return tr;
}

/** Shows one page's summary and rows; the table is hidden when there are none. */
function fillTable<Row>(name: string, view: PageView<Row>, toRow: (row: Row) => HTMLTableRowElement): void {
  $(`${name}-summary`).textContent = view.summary;
  $(`${name}-table`).hidden = view.rows.length === 0;
  $(`${name}-rows`).replaceChildren(...view.rows.map(toRow));
}

function showPages(view: PagesView): void {
  fillTable('held-back', view.heldBack, (row) => {
    const tr = tableRow([row.filename, row.reason, row.since, String(row.refusals)]);
    tr.classList.toggle('dismissed', row.dismissed);
    return tr;
  });
  fillTable('units', view.units, (row) =>
    tableRow([row.unit, `${row.lastCallIn} (${row.ago})`, { text: row.state, className: `state-${row.state}` }, row.file]),
  );
  fillTable('activity', view.activity, (row) => tableRow([row.at, row.filename, row.report]));
  const waiting = view.heldBack.rows.filter((row) => !row.dismissed).length;
  $('nav-count-held-back').textContent = waiting > 0 ? formatCount(waiting) : '';
  const unitsWrong = view.units.rows.filter((row) => row.state !== 'ok').length;
  $('nav-count-units').textContent = unitsWrong > 0 ? formatCount(unitsWrong) : '';
}
