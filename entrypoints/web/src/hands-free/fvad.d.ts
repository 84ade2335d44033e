declare module '@echogarden/fvad-wasm' {
  export interface FvadModule {
    _fvad_new(): number;
    _fvad_set_mode(handle: number, mode: number): number;
    _fvad_set_sample_rate(handle: number, rate: number): number;
    _fvad_process(handle: number, frame: number, samples: number): number;
    _malloc(bytes: number): number;
    HEAP16: Int16Array;
  }
  const createModule: (options?: { locateFile?: (path: string) => string }) => Promise<FvadModule>;
  export default createModule;
}

declare module '*?url' {
  const url: string;
  export default url;
}
