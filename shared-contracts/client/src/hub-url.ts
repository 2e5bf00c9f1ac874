import { HubPath } from '@council/contracts';

/**
 * The hub URL for a server URL: `http://host:5000` becomes `http://host:5000/hubs/council`; a URL
 * that already ends with the hub path is kept. Relative URLs resolve against the page in a browser.
 */
export function resolveHubUrl(url: string): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  let parsed: URL;
  try {
    parsed = base ? new URL(url, base) : new URL(url);
  } catch {
    throw new TypeError(`not a valid Council server URL: '${url}' (expected e.g. http://127.0.0.1:5000)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`not a valid Council server URL: '${url}' (use http:// or https://)`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  if (!path.endsWith(HubPath)) parsed.pathname = path + HubPath;
  return parsed.toString();
}
