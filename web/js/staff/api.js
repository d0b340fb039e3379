/*
 * api.js — the coordinator page's client for the REST API (docs/api.md):
 * the API key lives in sessionStorage (this tab only, gone when it closes)
 * and goes out as `Authorization: Bearer`. Errors become ApiError with the
 * server's code and sentence.
 */
const KEY = 'samvei.apiKey';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

export function apiKey() {
  return sessionStorage.getItem(KEY) ?? '';
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

async function send(method, path, body) {
  const headers = { authorization: `Bearer ${apiKey()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'connect', err.message);
  }
  if (res.ok) return res;
  const doc = await res.json().catch(() => null);
  throw new ApiError(res.status, doc?.error?.code ?? 'internal', doc?.error?.message ?? res.statusText);
}

/* JSON in, JSON out (null for 204). */
export async function call(method, path, body) {
  const res = await send(method, path, body);
  return res.status === 204 ? null : res.json();
}

/* Fetches path (with the key) and saves it as a file, e.g. an .ics or CSV. */
export async function download(path, fallbackName) {
  const res = await send('GET', path);
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}
