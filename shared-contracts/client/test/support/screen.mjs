// A tiny terminal emulator, enough for the escapes the live renderer writes: what a person would see.
export class Screen {
  lines = [''];
  row = 0;
  col = 0;
  columns;
  rows;
  isTTY = true;
  written = '';

  constructor(columns = 100, rows = 30) {
    this.columns = columns;
    this.rows = rows;
  }

  write(text) {
    this.written += text;
    // eslint-disable-next-line no-control-regex
    const tokens = text.split(/(\u001b\[[0-9;?]*[A-Za-z]|\n|\r)/);
    for (const token of tokens) {
      if (!token) continue;
      if (token === '\n') { this.row++; this.col = 0; this.ensureRow(); continue; }
      if (token === '\r') { this.col = 0; continue; }
      const csi = /^\u001b\[([0-9;?]*)([A-Za-z])$/.exec(token);
      if (csi) {
        const [, arg, cmd] = csi;
        if (cmd === 'A') this.row = Math.max(0, this.row - Number(arg || 1));
        else if (cmd === 'K') this.lines[this.row] = '';
        else if (cmd === 'J') { this.lines.length = this.row + 1; this.lines[this.row] = this.lines[this.row].slice(0, this.col); }
        continue; // colors and cursor visibility do not change the text
      }
      const line = this.lines[this.row];
      this.lines[this.row] = line.slice(0, this.col).padEnd(this.col) + token + line.slice(this.col + [...token].length);
      this.col += [...token].length;
    }
    return true;
  }

  ensureRow() {
    while (this.lines.length <= this.row) this.lines.push('');
  }

  text() {
    return this.lines.join('\n').trimEnd();
  }
}
