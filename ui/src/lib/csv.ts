// CSV as spreadsheets read it (RFC 4180): CRLF line ends, a field quoted when it holds a comma,
// a quote, a line break or leading/trailing space, quotes doubled inside. A UTF-8 byte-order
// mark leads the file so Excel opens Japanese text as UTF-8 instead of Shift_JIS.
export const BOM = '\uFEFF';

export function csvField(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const lines = [header, ...rows].map((r) => r.map(csvField).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
