// The window's preload (sandboxed: it may only require 'electron'; esbuild bundles
// the rest into dist/app/preload.cjs). It exposes window.mcpKeyring and nothing else:
// no ipcRenderer, no Node API. The allow-lists live in renderer-bridge.ts.
import { contextBridge, ipcRenderer } from 'electron';
import { createRendererBridge } from './renderer-bridge';

contextBridge.exposeInMainWorld('mcpKeyring', createRendererBridge(ipcRenderer));
