// An HTTP client that logs in like a browser would, for the end-to-end tests: Node's fetch with
// manual redirect handling, a small RFC 6265 cookie jar, and a form reader for the test IdP's
// login, consent and logout pages (lib/idp.mjs). No dependencies.
//
//   const jar = new CookieJar();
//   const r = await login('http://127.0.0.1:8080/private', { jar });
//   r.status, r.body, r.url, r.pages  // ['login', 'consent'] when both were shown

// ---------------------------------------------------------------------------------------------
// Cookie jar (RFC 6265 §5.2-§5.4, minus public suffixes). Cookies are per host, not per port,
// exactly as in a browser: the IdP's and authgate's cookies on 127.0.0.1 share one jar namespace.
// Secure cookies are stored and sent over https and over http to loopback hosts, which Chromium
// treats as secure contexts. SameSite=None without Secure is refused, as Chromium does; otherwise
// SameSite is recorded but not enforced: every test runs same-site (127.0.0.1, any port).

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isSecureContext(url) {
  return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
}

function defaultPath(url) {
  const p = url.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
}

function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function domainMatches(host, domain) {
  return host === domain || (host.endsWith(`.${domain}`) && !/^[\d.]+$|^\[/.test(host));
}

export class CookieJar {
  #cookies = []; // { name, value, domain, hostOnly, path, expires (ms|undefined), secure, httpOnly, sameSite }

  // Stores one Set-Cookie header value received from `url` (§5.2, §5.3).
  set(url, setCookie, now = Date.now()) {
    const u = new URL(url);
    const [pair, ...attrs] = setCookie.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return; // nameless cookies are ignored
    const cookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      domain: u.hostname,
      hostOnly: true,
      path: defaultPath(u),
      expires: undefined,
      secure: false,
      httpOnly: false,
      sameSite: undefined,
    };
    let maxAge;
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
      const val = i < 0 ? '' : attr.slice(i + 1).trim();
      if (key === 'expires') {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) cookie.expires = t;
      } else if (key === 'max-age' && /^-?\d+$/.test(val)) {
        maxAge = Number(val);
      } else if (key === 'domain' && val) {
        const d = val.replace(/^\./, '').toLowerCase();
        if (!domainMatches(u.hostname, d)) return; // §5.3 step 6: reject foreign domains
        cookie.domain = d;
        cookie.hostOnly = d === u.hostname;
      } else if (key === 'path') {
        cookie.path = val.startsWith('/') ? val : defaultPath(u);
      } else if (key === 'secure') {
        cookie.secure = true;
      } else if (key === 'httponly') {
        cookie.httpOnly = true;
      } else if (key === 'samesite') {
        cookie.sameSite = val.toLowerCase();
      }
    }
    if (maxAge !== undefined) cookie.expires = maxAge <= 0 ? 0 : now + maxAge * 1000; // Max-Age wins
    if (cookie.secure && !isSecureContext(u)) return;
    if (cookie.sameSite === 'none' && !cookie.secure) return; // as Chromium since version 80
    this.#cookies = this.#cookies.filter(
      (c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path),
    );
    if (cookie.expires === undefined || cookie.expires > now) this.#cookies.push(cookie);
  }

  // Stores every Set-Cookie header of a fetch Response received from `url`.
  storeFrom(url, response) {
    for (const h of response.headers.getSetCookie()) this.set(url, h);
  }

  // The cookies to send to `url`, longest path first (§5.4).
  matching(url, now = Date.now()) {
    const u = new URL(url);
    this.#cookies = this.#cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.#cookies
      .filter((c) => (c.hostOnly ? u.hostname === c.domain : domainMatches(u.hostname, c.domain)))
      .filter((c) => pathMatches(u.pathname, c.path))
      .filter((c) => !c.secure || isSecureContext(u))
      .sort((a, b) => b.path.length - a.path.length);
  }

  // The Cookie request header value for `url`, or undefined when no cookie applies.
  header(url) {
    const list = this.matching(url);
    return list.length ? list.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  // First stored cookie named `name` (any host and path); undefined if none.
  get(name) {
    return this.#cookies.find((c) => c.name === name);
  }

  // Every stored cookie, copies (mutating them does not change the jar).
  all() {
    return this.#cookies.map((c) => ({ ...c }));
  }

  // Removes every cookie named `name`, or those for which `name` (a predicate) returns true.
  delete(name) {
    const drop = typeof name === 'function' ? name : (c) => c.name === name;
    this.#cookies = this.#cookies.filter((c) => !drop(c));
  }

  clear() {
    this.#cookies = [];
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and redirects

// One request, no redirect followed, cookies sent from and stored into `jar`.
export async function request(url, { method = 'GET', headers = {}, body, jar } = {}) {
  const h = new Headers(headers);
  const cookie = jar?.header(url);
  if (cookie && !h.has('cookie')) h.set('cookie', cookie);
  let response;
  try {
    response = await fetch(url, { method, headers: h, body, redirect: 'manual' });
  } catch (err) {
    // A pooled keep-alive connection the server closed meanwhile (a restarted IdP or authgate):
    // like a browser, retry an idempotent request once on a new connection.
    if (err.cause?.code !== 'UND_ERR_SOCKET' || (method !== 'GET' && method !== 'HEAD')) throw err;
    response = await fetch(url, { method, headers: h, body, redirect: 'manual' });
  }
  jar?.storeFrom(url, response);
  return response;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

// Follows redirects the way a browser does (303, and 301/302 after a POST, become a GET; 307/308
// keep method and body). Stops at the first non-redirect response, or before requesting a URL for
// which stopAt(URL) returns true (e.g. a redirect_uri nobody serves). Returns
// { response, url, hops: [{ method, url, status }], stopped }.
export async function follow(url, { method = 'GET', headers, body, jar, stopAt, maxRedirects = 20, hops = [] } = {}) {
  let current = new URL(url);
  for (let i = 0; ; i++) {
    if (stopAt?.(current)) return { response: undefined, url: current.href, hops, stopped: true };
    const response = await request(current.href, { method, headers, body, jar });
    hops.push({ method, url: current.href, status: response.status });
    if (!REDIRECTS.has(response.status)) return { response, url: current.href, hops, stopped: false };
    const location = response.headers.get('location');
    if (!location) return { response, url: current.href, hops, stopped: false };
    await response.body?.cancel();
    if (i >= maxRedirects) throw new Error(`more than ${maxRedirects} redirects from ${url}`);
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      headers = undefined;
    }
    current = new URL(location, current);
  }
}

// ---------------------------------------------------------------------------------------------
// Forms

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function attributes(tag) {
  const out = {};
  const re = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  for (const m of tag.matchAll(re)) out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

// The forms of an HTML page: [{ id, action (absolute URL), method, fields: [[name, value]],
// submits: [{ id, name, value }], passwordName, usernameName }]. Inputs and buttons outside a
// <form> that name it with form="id" belong to it, as in HTML. Good enough for pages we control.
export function parseForms(html, baseUrl) {
  const forms = [];
  const byId = new Map();
  const controls = (inner, form) => {
    for (const m of inner.matchAll(/<(input|button)\b([^>]*)>/gi)) {
      const a = attributes(m[2]);
      const owner = a.form !== undefined ? byId.get(a.form) : form;
      if (!owner) continue;
      const type = (a.type ?? (m[1].toLowerCase() === 'button' ? 'submit' : 'text')).toLowerCase();
      if (type === 'submit' || type === 'image') {
        owner.submits.push({ id: a.id, name: a.name, value: a.value ?? '' });
      } else if (a.name && type !== 'button' && type !== 'reset' && type !== 'file') {
        if ((type === 'checkbox' || type === 'radio') && a.checked === undefined) continue;
        owner.fields.push([a.name, a.value ?? (type === 'checkbox' ? 'on' : '')]);
        if (type === 'password') owner.passwordName ??= a.name;
        else if (type === 'text' || type === 'email') owner.usernameName ??= a.name;
      }
    }
  };
  const formRe = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  for (const m of html.matchAll(formRe)) {
    const a = attributes(m[1]);
    const form = {
      id: a.id,
      action: new URL(a.action || baseUrl, baseUrl).href,
      method: (a.method || 'get').toUpperCase(),
      fields: [],
      submits: [],
      passwordName: undefined,
      usernameName: undefined,
    };
    forms.push(form);
    if (form.id) byId.set(form.id, form);
    controls(m[2], form);
  }
  controls(html.replace(formRe, ''), undefined); // controls tied to a form by form="id"
  return forms;
}

// Submits `form` as a browser would after a click on `submit` (one of form.submits, or none),
// with `values` overriding or adding fields, and follows the redirects.
export async function submitForm(form, { values = {}, submit, jar, stopAt, hops } = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of form.fields) if (!(k in values)) params.append(k, v);
  for (const [k, v] of Object.entries(values)) params.append(k, v);
  if (submit?.name) params.append(submit.name, submit.value);
  if (form.method === 'GET') {
    const u = new URL(form.action);
    u.search = params.toString();
    return follow(u.href, { jar, stopAt, hops });
  }
  return follow(form.action, { method: 'POST', body: params, jar, stopAt, hops });
}

// ---------------------------------------------------------------------------------------------
// Login and sign-out

async function pageOf(step) {
  const res = step.response;
  const isHtml = (res?.headers.get('content-type') ?? '').includes('text/html');
  const body = res ? await res.text() : '';
  return { ...step, body, forms: isHtml ? parseForms(body, step.url) : [] };
}

function result(jar, p, pages) {
  return { jar, response: p.response, status: p.response?.status, url: p.url, body: p.body, hops: p.hops, stopped: p.stopped, pages };
}

// Opens `startUrl` (authgate's protected URL or /oauth2/start), follows the redirects to the test
// IdP, fills in its login form, approves (or denies) its consent form, and follows the redirects
// back. Returns { jar, response, status, url, body, hops, stopped, pages } where `pages` lists
// the IdP pages answered in order ('login', 'consent'), and `body` is the final body as text.
// A login form shown again after submitting it (wrong password) ends the walk with
// pages ending in 'login-rejected'.
export async function login(
  startUrl,
  { jar = new CookieJar(), username = 'alice', password = 'alice-password', consent = 'allow', stopAt, maxSteps = 6 } = {},
) {
  const hops = [];
  const pages = [];
  let p = await pageOf(await follow(startUrl, { jar, stopAt, hops }));
  for (let step = 0; step < maxSteps && !p.stopped; step++) {
    const loginForm = p.forms.find((f) => f.passwordName);
    const consentForm = p.forms.find((f) => f.id === 'consent-form' || f.action.endsWith('/confirm'));
    const denyForm = p.forms.find((f) => f.id === 'deny-form' || f.action.endsWith('/abort'));
    if (loginForm) {
      if (pages.at(-1) === 'login') {
        pages.push('login-rejected');
        break;
      }
      pages.push('login');
      const values = { [loginForm.passwordName]: password };
      if (loginForm.usernameName) values[loginForm.usernameName] = username;
      p = await pageOf(await submitForm(loginForm, { values, submit: loginForm.submits[0], jar, stopAt, hops }));
    } else if (consentForm) {
      pages.push('consent');
      const form = consent === 'allow' ? consentForm : denyForm;
      if (!form) throw new Error('consent page without a deny form');
      p = await pageOf(await submitForm(form, { submit: form.submits[0], jar, stopAt, hops }));
    } else {
      break;
    }
  }
  return result(jar, p, pages);
}

// Opens a sign-out URL (authgate's /oauth2/sign_out or the IdP's end_session_endpoint), and when
// the IdP asks "sign out?" answers yes (confirm=true) or no, then follows the redirects.
export async function signOut(url, { jar = new CookieJar(), confirm = true, stopAt } = {}) {
  const hops = [];
  const pages = [];
  let p = await pageOf(await follow(url, { jar, stopAt, hops }));
  const form = p.forms.find((f) => f.submits.some((s) => s.name === 'logout'));
  if (form && !p.stopped) {
    pages.push('logout-confirm');
    const submit = confirm ? form.submits.find((s) => s.name === 'logout' && s.value === 'yes') : form.submits.find((s) => s.name !== 'logout');
    p = await pageOf(await submitForm(form, { submit, jar, stopAt, hops }));
  }
  return result(jar, p, pages);
}
