// The freelancer app's outbox. Hours and messages written without a connection wait here, in
// IndexedDB, and go out when the connection returns. Each keeps the idempotency key made when
// the person acted, so the server applies it once however often it is sent (a retry after a
// lost answer is answered as the first was). What the server refuses when it arrives stays,
// with its answer, until the person has seen it: nothing is dropped silently.
//
// Loaded by every page, before the app's WebAssembly, which calls `OlivineOutbox`; the pages
// also register the service worker (`/sw.js`) from here.
(function () {
  'use strict';

  const DATABASE = 'olivine-outbox';
  const STORE = 'requests';
  const channel = 'BroadcastChannel' in self ? new BroadcastChannel('olivine-outbox') : null;

  let opened = null;
  function open() {
    opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opened;
  }

  function done(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function store(mode) {
    return (await open()).transaction(STORE, mode).objectStore(STORE);
  }

  const put = async (item) => done((await store('readwrite')).put(item));
  const remove = async (key) => done((await store('readwrite')).delete(key));

  /** Everything of `user`, oldest first. */
  async function items(user) {
    const all = await done((await store('readonly')).getAll());
    return all.filter((item) => item.user === user).sort((a, b) => a.at - b.at);
  }

  /** Tell this tab and the others that the outbox changed. */
  function changed() {
    channel?.postMessage('changed');
    self.dispatchEvent(new Event('olivine-outbox'));
  }
  if (channel) channel.onmessage = () => self.dispatchEvent(new Event('olivine-outbox'));

  /**
   * Send one request: 'sent', 'later' (no connection, the server is unavailable or busy, or the
   * person is signed out: it stays and is tried again) or 'answered' (refused, with its answer).
   */
  async function deliver(item) {
    let response;
    try {
      response = await fetch(item.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: item.body,
        credentials: 'same-origin',
      });
    } catch (_) {
      return { outcome: 'later' };
    }
    if (response.ok) return { outcome: 'sent' };
    if (response.status === 401 || response.status === 429 || response.status >= 500) {
      return { outcome: 'later' };
    }
    return { outcome: 'answered', answer: await response.text() };
  }

  /**
   * A form's request: sent now when there is a connection (its answer returned), kept on this
   * device when there is none.
   */
  async function submit(endpoint, fields, label, user) {
    const key = crypto.randomUUID();
    const body = `${fields}${fields ? '&' : ''}key=${key}`;
    const item = { key, user, endpoint, body, label, at: Date.now(), state: 'waiting' };
    if (navigator.onLine) {
      const sent = await deliver(item);
      if (sent.outcome === 'sent') return JSON.stringify({ outcome: 'sent' });
      if (sent.outcome === 'answered') return JSON.stringify(sent);
      // Online but unanswered: keep it, like any request without a connection.
    }
    await put(item);
    changed();
    return JSON.stringify({ outcome: 'kept' });
  }

  /** Send what waits for `user`, in the order it was written; how many arrived. */
  async function flush(user) {
    const run = async () => {
      let delivered = 0;
      for (const item of await items(user)) {
        if (item.state !== 'waiting') continue;
        const sent = await deliver(item);
        if (sent.outcome === 'later') break;
        if (sent.outcome === 'sent') {
          await remove(item.key);
          delivered += 1;
        } else {
          await put({ ...item, state: 'refused', answer: sent.answer, answered: Date.now() });
        }
      }
      return delivered;
    };
    // One sender at a time across this browser's tabs (the server would apply a twin once
    // anyway, but one request per item is kinder to the signal).
    const delivered = navigator.locks ? await navigator.locks.request(DATABASE, run) : await run();
    changed();
    return delivered;
  }

  async function list(user) {
    return JSON.stringify((await items(user)).map(({ body, ...shown }) => shown));
  }

  async function dismiss(key) {
    await remove(key);
    changed();
  }

  /** Ask the service worker to keep `paths` (JSON) readable offline. */
  function keep(paths) {
    navigator.serviceWorker?.ready.then((registration) =>
      registration.active?.postMessage({ keep: JSON.parse(paths) }),
    );
  }

  self.OlivineOutbox = { submit, flush, list, dismiss, keep };

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(() => {});
  }
})();
