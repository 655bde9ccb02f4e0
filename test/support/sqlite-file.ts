// Writes a small SQLite database file without an SQLite library (Node 20 has none, and test helpers
// should not need a host sqlite3): one table, its rows in one leaf page, after the file format spec
// (https://www.sqlite.org/fileformat2.html). Enough for a service fixture whose C code reads data.

export type SqliteValue = string | number;

export interface SqliteTable {
  name: string;
  /** `[name, 'TEXT' | 'INTEGER']`; the first INTEGER PRIMARY KEY column, if any, is the rowid. */
  columns: [string, 'TEXT' | 'INTEGER'][];
  rows: SqliteValue[][];
}

const PAGE_SIZE = 4096;
const HEADER_BYTES = 100;
const LEAF_TABLE_PAGE = 0x0d;
/** The SQLite version the file says wrote it (any 3.x reads it). */
const WRITER_VERSION = 3_040_001;

/** The database file: page 1 holds sqlite_schema, page 2 the table's rows. */
export function sqliteDatabase(table: SqliteTable): Buffer {
  const columns = table.columns
    .map(
      ([name, type], i) => `${name} ${type}${i === 0 && type === 'INTEGER' ? ' PRIMARY KEY' : ''}`,
    )
    .join(', ');
  const schemaRow: SqliteValue[] = [
    'table',
    table.name,
    table.name,
    2,
    `CREATE TABLE ${table.name} (${columns})`,
  ];
  const rowidIsFirst = table.columns[0]?.[1] === 'INTEGER';
  const rows = table.rows
    .map((row, i) => ({
      rowid: rowidIsFirst ? Number(row[0]) : i + 1,
      // An INTEGER PRIMARY KEY is stored as NULL in the record: the rowid holds it.
      values: rowidIsFirst ? [null, ...row.slice(1)] : row,
    }))
    // A leaf's cells are in key order.
    .sort((a, b) => a.rowid - b.rowid);
  const file = Buffer.concat([
    leafPage([{ rowid: 1, values: schemaRow }], HEADER_BYTES),
    leafPage(rows, 0),
  ]);
  writeFileHeader(file, 2);
  return file;
}

function writeFileHeader(file: Buffer, pages: number): void {
  file.write('SQLite format 3\0', 0, 'latin1');
  file.writeUInt16BE(PAGE_SIZE, 16);
  file.writeUInt8(1, 18); // legacy (rollback journal) write and read versions
  file.writeUInt8(1, 19);
  file.writeUInt8(0, 20); // no reserved bytes per page
  file.writeUInt8(64, 21); // payload fractions, fixed by the format
  file.writeUInt8(32, 22);
  file.writeUInt8(32, 23);
  file.writeUInt32BE(1, 24); // file change counter
  file.writeUInt32BE(pages, 28);
  file.writeUInt32BE(1, 40); // schema cookie
  file.writeUInt32BE(4, 44); // schema format 4
  file.writeUInt32BE(1, 56); // UTF-8
  file.writeUInt32BE(1, 92); // the page count above is valid for change counter 1
  file.writeUInt32BE(WRITER_VERSION, 96);
}

/** A table b-tree leaf page; `start` is where its header begins (100 on page 1, after the file header). */
function leafPage(
  rows: { rowid: number; values: (SqliteValue | null)[] }[],
  start: number,
): Buffer {
  const page = Buffer.alloc(PAGE_SIZE);
  const cells = rows.map((row) => {
    const payload = record(row.values);
    return Buffer.concat([varint(payload.length), varint(row.rowid), payload]);
  });
  let contentStart = PAGE_SIZE;
  const pointers: number[] = [];
  for (const cell of cells) {
    contentStart -= cell.length;
    cell.copy(page, contentStart);
    pointers.push(contentStart);
  }
  const pointerEnd = start + 8 + 2 * cells.length;
  if (contentStart < pointerEnd) throw new Error('rows do not fit in one SQLite page');
  page.writeUInt8(LEAF_TABLE_PAGE, start);
  page.writeUInt16BE(cells.length, start + 3);
  page.writeUInt16BE(contentStart, start + 5);
  pointers.forEach((pointer, i) => page.writeUInt16BE(pointer, start + 8 + 2 * i));
  return page;
}

/** A record: header (its own size, then one serial type per value), then the values. */
function record(values: (SqliteValue | null)[]): Buffer {
  const types: number[] = [];
  const bodies: Buffer[] = [];
  for (const value of values) {
    if (value === null) {
      types.push(0);
    } else if (typeof value === 'string') {
      const text = Buffer.from(value, 'utf8');
      types.push(text.length * 2 + 13);
      bodies.push(text);
    } else {
      if (!Number.isInteger(value) || Math.abs(value) > 0x7fffffff)
        throw new Error(`only 32-bit integers are written: ${value}`);
      const int = Buffer.alloc(4);
      int.writeInt32BE(value);
      types.push(4);
      bodies.push(int);
    }
  }
  const typeBytes = Buffer.concat(types.map(varint));
  // The header size counts its own varint (one byte while the header stays under 128 bytes).
  if (typeBytes.length + 1 > 127) throw new Error('too many columns for this writer');
  return Buffer.concat([varint(typeBytes.length + 1), typeBytes, ...bodies]);
}

/** SQLite's big-endian varint (7 bits a byte, high bit: more follows), for values below 2^28. */
function varint(value: number): Buffer {
  if (value < 0 || value >= 2 ** 28) throw new Error(`varint out of range: ${value}`);
  const bytes = [value & 0x7f];
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) bytes.unshift((rest & 0x7f) | 0x80);
  return Buffer.from(bytes);
}
