// api.js: the console's access to /api/v1 with the admin token. The token
// lives in sessionStorage (this tab only, gone when it closes). Every
// refusal becomes an ApiError carrying the server's {"error": ...} message.

const KEY = 'sixcast.admin_token';

export class ApiError extends Error {
  constructor(status, message, method, path) {
    super(message);
    this.status = status;
    this.method = method;
    this.path = path;
  }
  describe() {
    const code = this.status ? ` (HTTP ${this.status})` : '';
    return `${this.method} ${this.path}: ${this.message}${code}`;
  }
}

let onUnauthorized = null;

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

// fn(err) runs when the server answers 401 (token wrong or revoked).
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function call(method, path, body, tok = token.get()) {
  const opts = { method, headers: {}, cache: 'no-store' };
  if (tok) opts.headers.Authorization = `Bearer ${tok}`;
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, opts);
  } catch (e) {
    throw new ApiError(0, `cannot reach the management server (${e.message})`, method, path);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const msg = (data && data.error) || text || res.statusText;
    const err = new ApiError(res.status, msg, method, path);
    if (res.status === 401 && onUnauthorized) onUnauthorized(err);
    throw err;
  }
  return data;
}

export const get = (p) => call('GET', p);
export const post = (p, b) => call('POST', p, b);
export const patch = (p, b) => call('PATCH', p, b);
export const del = (p) => call('DELETE', p);

// "?a=1&b=x" from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
