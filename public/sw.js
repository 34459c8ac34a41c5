// Olivine's service worker: the freelancer's pages readable without a connection.
//
// - The app's built files (/pkg/…, named by content hash) are kept once fetched; the site's
//   own scripts and icons are fetched first and kept for when there is no connection.
// - The freelancer's pages (their shifts, the shifts' and jobs' details, their message threads)
//   are fetched from the network first and kept; without a connection the kept copy answers.
//   The shifts page asks for its bookings' pages to be kept ahead (`keep`).
// - Without a connection, any other page answers with a short offline page.
// - Signing out forgets the kept pages: they are one person's.
// Everything else (server functions, the live socket, media) passes through untouched.
'use strict';

const VERSION = 'v1';
const FILES = `olivine-files-${VERSION}`;
const PAGES = `olivine-pages-${VERSION}`;
/** The pages a freelancer needs on site. */
const KEPT_PAGES = [/^\/hire\/work\/shifts$/, /^\/hire\/(shifts|jobs)\/[^/]+$/, /^\/hire\/messages\/[^/]+$/];
const SIGN_OUT = '/api/accounts/sign-out';
/** The site's own files outside /pkg: same name across deploys, so the network's copy first. */
const OWN_FILES = [
  '/outbox.js',
  '/payment.js',
  '/favicon.svg',
  '/manifest.webmanifest',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
];

self.addEventListener('install', (event) => {
  // The pages loaded these before this worker answered for them.
  event.waitUntil(
    (async () => {
      const cache = await caches.open(FILES);
      await Promise.all(OWN_FILES.map((path) => cache.add(path).catch(() => {})));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== FILES && name !== PAGES) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && url.pathname === SIGN_OUT) {
    event.respondWith(signOut(request));
  } else if (request.method !== 'GET') {
    return;
  } else if (url.pathname.startsWith('/pkg/')) {
    event.respondWith(file(request));
  } else if (OWN_FILES.includes(url.pathname)) {
    event.respondWith(ownFile(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(request, url));
  }
});

self.addEventListener('message', (event) => {
  const paths = event.data?.keep;
  if (Array.isArray(paths)) event.waitUntil(keep(paths));
});

/** A built file: its name changes with its content, so a kept copy is always right. */
async function file(request) {
  const cache = await caches.open(FILES);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** One of the site's own files: the network's copy (kept), else the kept one. */
async function ownFile(request) {
  const cache = await caches.open(FILES);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw error;
  }
}

function keptPage(url) {
  return KEPT_PAGES.some((pattern) => pattern.test(url.pathname));
}

/** A page: the network's answer (kept when it is one of the freelancer's), else the kept copy. */
async function page(request, url) {
  try {
    const response = await fetch(request);
    if (response.ok && keptPage(url) && !response.redirected) {
      const cache = await caches.open(PAGES);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await (await caches.open(PAGES)).match(url.pathname);
    return kept ?? offline();
  }
}

/** Fetch and keep the pages the freelancer will need offline. */
async function keep(paths) {
  const cache = await caches.open(PAGES);
  await Promise.all(
    paths
      .filter((path) => typeof path === 'string' && keptPage(new URL(path, self.location.origin)))
      .map(async (path) => {
        try {
          const response = await fetch(path, { credentials: 'same-origin' });
          if (response.ok && !response.redirected) await cache.put(path, response);
        } catch (_) {
          // Offline now: the page is kept the next time it loads.
        }
      }),
  );
}

async function signOut(request) {
  const response = await fetch(request);
  if (response.ok || response.type === 'opaqueredirect') await caches.delete(PAGES);
  return response;
}

function offline() {
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline — Olivine</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2a24}</style>
</head><body><h1>You're offline</h1>
<p>This page hasn't been opened on this device yet, so it can't be shown without a connection.</p>
<p><a href="/hire/work/shifts">Your shifts</a> are kept on this device once you have opened them.</p>
</body></html>`;
  return new Response(html, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
