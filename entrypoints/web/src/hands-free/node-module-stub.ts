// What the WebRTC VAD's Emscripten loader (`@echogarden/fvad-wasm`) gets for Node's `module`: it imports it only when it
// runs under Node, never in the browser worker, so the build points the import here instead of Vite's own stub and its
// warning.
export function createRequire(): never {
  throw new Error('node:module is not available in the browser');
}
