// CSV files for Excel: UTF-8 with a byte order mark (without it Excel reads the bytes as the PC's code page and
// mangles Vietnamese), RFC 4180 quoting, CRLF line ends. Made in the page from what it already shows; nothing is sent.
'use strict';

(function () {
  // Text Excel would run as a formula (a portal message that starts with "=", say) is written as text.
  const FORMULA_START = /^[=+\-@\t\r]/;

  function cell(value) {
    if (value === null || value === undefined) return '';
    let text = String(value);
    if (typeof value === 'string' && FORMULA_START.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  function toCsv(header, rows) {
    return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
  }

  function download(fileName, header, rows) {
    const blob = new Blob(['\uFEFF' + toCsv(header, rows)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own copy once it starts; the address is released well after.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  window.DvcSync = Object.assign(window.DvcSync || {}, { csv: { toCsv, download } });
})();
