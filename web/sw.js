// @ts-check
/// <reference lib="webworker" />
/**
 * Hearth's service worker: the app itself (its page and the files of this
 * version, `/v/<version>/…`) stays available offline; nothing under
 * `/api/` (photos, videos, what the library says) is ever put in its
 * caches, so private media lives only as long as the browser's own cache
 * of this session. And "Share → Hearth" from a phone's gallery: the shared
 * files wait in a cache until the page takes them into the upload tray
 * (then they are deleted).
 */
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const VERSION = new URL(sw.location.href).searchParams.get('v') ?? 'dev';
const APP = `hearth-app-${VERSION}`;
const SHARE = 'hearth-share';

/** The page and everything it names of this version. */
async function precache() {
  const cache = await caches.open(APP);
  const page = await fetch('/', { cache: 'no-cache' });
  if (!page.ok) return;
  const html = await page.clone().text();
  await cache.put('/', page);
  const files = [...html.matchAll(/(?:href|src)="(\/v\/[^"]+)"/g)].map((match) => match[1]);
  await cache.addAll(files);
}

sw.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('hearth-app-') && name !== APP) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

/**
 * Files shared to Hearth: kept until the page takes them, then a redirect
 * to the page that does.
 * @param {Request} request
 */
async function receiveShare(request) {
  const form = await request.formData();
  const files = form.getAll('file').filter((value) => value instanceof File);
  const inbox = await caches.open(SHARE);
  const stamp = Date.now();
  await Promise.all(
    files.map((file, n) =>
      inbox.put(`/share-inbox/${stamp}-${n}`, new Response(file, { headers: { 'content-type': file.type || 'application/octet-stream', 'x-name': encodeURIComponent(file.name) } })),
    ),
  );
  return Response.redirect(`/?shared=${files.length}`, 303);
}

/**
 * The app's versioned files: from the cache, or fetched once and kept.
 * @param {Request} request
 */
async function versioned(request) {
  const cache = await caches.open(APP);
  const hit = await cache.match(request);
  if (hit) return hit;
  const answer = await fetch(request);
  if (answer.ok) await cache.put(request, answer.clone());
  return answer;
}

/**
 * A page: the network's, or offline the app's own page (it says what it
 * cannot reach).
 * @param {Request} request
 */
async function page(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const shell = await caches.match('/', { cacheName: APP });
    if (shell) return shell;
    throw error;
  }
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (request.method === 'POST' && url.pathname === '/share') {
    event.respondWith(receiveShare(request));
    return;
  }
  if (request.method !== 'GET' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/dav/')) return;
  if (url.pathname.startsWith(`/v/${VERSION}/`)) event.respondWith(versioned(request));
  else if (request.mode === 'navigate') event.respondWith(page(request));
});
