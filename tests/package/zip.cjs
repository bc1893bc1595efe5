'use strict';
// Reading the function zips without an unzip binary: the central directory for names and sizes,
// the local header and zlib for one file's content. Used by the package check and the benchmark.

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Every entry of a zip: { name, size, compressedSize, method, localOffset }. */
function readZipDirectory(file, buf = fs.readFileSync(file)) {
  const label = path.basename(file);
  // The end-of-central-directory record sits in the last 22 bytes plus an optional comment (< 64 KB).
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${label} is not a zip (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw new Error(`${label} is a zip64 archive; far over budget for a function`);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(offset) !== CENTRAL) throw new Error(`${label}: corrupt central directory entry ${n}`);
    const nameLength = buf.readUInt16LE(offset + 28);
    entries.push({
      name: buf.toString('utf8', offset + 46, offset + 46 + nameLength),
      method: buf.readUInt16LE(offset + 10),
      compressedSize: buf.readUInt32LE(offset + 20),
      size: buf.readUInt32LE(offset + 24),
      localOffset: buf.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + buf.readUInt16LE(offset + 30) + buf.readUInt16LE(offset + 32);
  }
  return entries;
}

/** One file's content from a zip (stored or deflated). */
function readZipEntry(file, name) {
  const buf = fs.readFileSync(file);
  const entry = readZipDirectory(file, buf).find((e) => e.name === name);
  if (!entry) throw new Error(`${path.basename(file)} has no ${name}`);
  if (buf.readUInt32LE(entry.localOffset) !== LOCAL) throw new Error(`${path.basename(file)}: corrupt local header for ${name}`);
  // The local header has its own name and extra lengths; the sizes come from the central directory.
  const start = entry.localOffset + 30 + buf.readUInt16LE(entry.localOffset + 26) + buf.readUInt16LE(entry.localOffset + 28);
  const raw = buf.subarray(start, start + entry.compressedSize);
  let data;
  if (entry.method === 0) data = Buffer.from(raw);
  else if (entry.method === 8) data = zlib.inflateRawSync(raw);
  else throw new Error(`${path.basename(file)}: ${name} uses compression method ${entry.method}`);
  if (data.length !== entry.size) throw new Error(`${path.basename(file)}: ${name} inflated to ${data.length} bytes, want ${entry.size}`);
  return data;
}

module.exports = { readZipDirectory, readZipEntry };
