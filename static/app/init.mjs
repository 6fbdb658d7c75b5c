// Starts the GOV.UK and MoJ Frontend components on every page.
import { initAll as initGovuk } from '../vendor/govuk/govuk-frontend.min.js';
import { initAll as initMoj } from '../vendor/moj/moj-frontend.min.js';

initGovuk();
initMoj();

// Tables reflow on a narrow screen (app.css): each body cell is labelled with its column's header,
// shown above the cell when a row becomes a card. Columns are counted with their colspans.
for (const table of document.querySelectorAll('table.govuk-table')) {
  const headerRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!headerRow) continue;
  const names = [];
  for (const cell of headerRow.cells) {
    for (let span = 0; span < cell.colSpan; span += 1) names.push(cell.textContent.trim().replace(/\s+/g, ' '));
  }
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        if (names[column] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', names[column]);
        column += cell.colSpan;
      }
    }
  }
  table.classList.add('app-table--reflow');
}
