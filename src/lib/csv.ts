/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break, and never something a
 * spreadsheet would run as a formula (a leading =, +, -, @, tab or CR is prefixed with an apostrophe, the
 * OWASP advice against CSV injection). Objects are written as JSON; null and undefined as an empty cell.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line of cells, ended by CRLF. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
