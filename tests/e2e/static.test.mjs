/*
 * static.test.mjs — the web client's files as a browser on a narrow link
 * gets them: scripts and styles gzip-compressed when the request
 * takes gzip (the call page in a fraction of the bytes; pages are too
 * small to be worth it), byte for byte the
 * file once decompressed, and plain for a client that does not ask.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_URL } from './lib.mjs';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(`${BASE_URL}${path}`, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('scripts and styles go gzip-compressed to a browser, and plain to a client that does not ask', async () => {
  let plainTotal = 0;
  let sentTotal = 0;
  for (const path of ['/js/main.js', '/js/i18n.js', '/js/ui/call.js', '/css/call.css']) {
    const file = readFileSync(join(WEB, path));
    const gz = await get(path, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    assert.equal(gz.status, 200, path);
    assert.equal(gz.headers['content-encoding'], 'gzip', `${path} is compressed`);
    assert.match(gz.headers.vary ?? '', /accept-encoding/i, `${path} says it varies by Accept-Encoding`);
    assert.equal(Number(gz.headers['content-length']), gz.body.length);
    assert.ok(gunzipSync(gz.body).equals(file), `${path} decompresses to the file`);
    plainTotal += file.length;
    sentTotal += gz.body.length;

    const plain = await get(path);
    assert.equal(plain.headers['content-encoding'], undefined, `${path} is plain without Accept-Encoding`);
    assert.ok(plain.body.equals(file));
    const refused = await get(path, { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined, `${path}: gzip;q=0 is respected`);
  }
  console.log(`# ${plainTotal} bytes of files sent as ${sentTotal} (${Math.round((100 * sentTotal) / plainTotal)} %)`);
  assert.ok(sentTotal < plainTotal / 2, 'text compresses to well under half');
});
