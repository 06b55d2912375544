// The status line at the top of the settings page. The main process computes the line
// from the agent status with the tray's own glance rule (electron/main/status-line.ts);
// this only shows it: the text, and the state as `data-state` (failing is also red).
function showStatusLine(line: StatusLine): void {
  const el = $('status-line');
  el.textContent = line.text;
  el.dataset['state'] = line.state;
  el.classList.toggle('failing', line.state === 'failing');
}
