import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, isRendererUrl, WINDOW_BACKGROUND, windowOpenDecision, windowOptions } from '../../../main/app/window-options';
import { repoRoot } from '../../helpers/keyring-env';

const rendererUrl = pathToFileURL(path.join(repoRoot, 'dist', 'renderer', 'index.html')).href;

test('the window follows the security checklist', () => {
  const options = windowOptions({ preload: '/app/dist/app/preload.cjs', dark: false });
  const web = options.webPreferences!;
  assert.equal(web.contextIsolation, true);
  assert.equal(web.sandbox, true);
  assert.equal(web.nodeIntegration, false);
  assert.equal(web.nodeIntegrationInWorker, false);
  assert.equal(web.nodeIntegrationInSubFrames, false);
  assert.equal(web.webSecurity, true);
  assert.equal(web.allowRunningInsecureContent, false);
  assert.equal(web.webviewTag, false);
  assert.equal(web.experimentalFeatures, false);
  assert.equal(web.navigateOnDragDrop, false);
  assert.equal(web.preload, '/app/dist/app/preload.cjs');
  assert.equal(web.devTools, false, 'no DevTools unless asked for (development)');
  assert.equal(windowOptions({ preload: '/p', dark: false, devTools: true }).webPreferences!.devTools, true);
  // Shown when ready, so it never flashes.
  assert.equal(options.show, false);
});

test('the background follows the theme and matches the page', () => {
  assert.equal(windowOptions({ preload: '/p', dark: false }).backgroundColor, WINDOW_BACKGROUND.light);
  assert.equal(windowOptions({ preload: '/p', dark: true }).backgroundColor, WINDOW_BACKGROUND.dark);
  const css = fs.readFileSync(path.join(repoRoot, 'renderer', 'styles.css'), 'utf8');
  const light = /:root\s*{[^}]*--bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
  const dark = /prefers-color-scheme:\s*dark\)\s*{\s*:root\s*{[^}]*--bg:\s*(#[0-9a-f]{6})/i.exec(css)?.[1];
  if (light) assert.equal(WINDOW_BACKGROUND.light, light.toLowerCase());
  if (dark) assert.equal(WINDOW_BACKGROUND.dark, dark.toLowerCase());
  assert.equal(windowOptions({ preload: '/p', dark: true, icon: '/i.png' }).icon, '/i.png');
  assert.equal('icon' in windowOptions({ preload: '/p', dark: true }), false);
});

test('navigation: only the renderer page itself', () => {
  assert.equal(isAllowedNavigation(rendererUrl, rendererUrl), true);
  assert.equal(isAllowedNavigation(`${rendererUrl}#/servers/github`, rendererUrl), true);
  assert.equal(isAllowedNavigation(`${rendererUrl}?x=1`, rendererUrl), true);
  for (const url of [
    'https://evil.example/',
    'http://127.0.0.1:8080/index.html',
    pathToFileURL(path.join(repoRoot, 'dist', 'renderer', 'other.html')).href,
    pathToFileURL('/etc/passwd').href,
    'file://remote-host' + new URL(rendererUrl).pathname,
    'javascript:alert(1)',
    'data:text/html,<h1>hi</h1>',
    'about:blank',
    'not a url',
  ]) {
    assert.equal(isAllowedNavigation(url, rendererUrl), false, url);
  }
  assert.equal(isRendererUrl(undefined, rendererUrl), false);
});

test('window.open: never a new window; http(s) goes to the browser', () => {
  assert.deepEqual(windowOpenDecision('https://github.com/settings'), { action: 'deny', openExternally: 'https://github.com/settings' });
  assert.deepEqual(windowOpenDecision('http://localhost:3000/docs'), { action: 'deny', openExternally: 'http://localhost:3000/docs' });
  for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'vscode://x', rendererUrl, '']) {
    assert.deepEqual(windowOpenDecision(url), { action: 'deny', openExternally: null }, url);
  }
});

test('the CSP is strict: nothing by default, scripts and styles from the app only, no connections, no frames', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/);
    return [name!, values] as const;
  }));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('style-src'), ["'self'"]);
  assert.deepEqual(directives.get('connect-src'), ["'none'"]);
  assert.deepEqual(directives.get('object-src'), ["'none'"]);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(directives.get('base-uri'), ["'none'"]);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-(inline|eval)|\*/);

  // index.html's <meta> policy is just as strict where it matters (both apply in the window).
  const html = fs.readFileSync(path.join(repoRoot, 'renderer', 'index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1];
  assert.ok(meta, 'index.html carries a CSP <meta>');
  assert.match(meta, /default-src 'none'/);
  assert.match(meta, /script-src 'self'(;|$)/);
  assert.doesNotMatch(meta, /unsafe-(inline|eval)/);
});
