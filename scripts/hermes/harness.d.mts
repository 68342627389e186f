export interface MetroModule {
  /** Absolute path of the module's source file. */
  path: string;
  /** The module as Metro wrote it into the bundle (`__d(...)`). */
  code: string;
}
export declare function bundleWithMetro(
  entry: string,
  name: string,
  options?: { minify?: boolean; platform?: string; prelude?: string; sourceMap?: boolean; inlineRequires?: boolean },
): Promise<{ file: string; bytes: number; code: string; map: string; modules: MetroModule[] }>;
export declare function bundleForHermes(
  entry: string,
  name: string,
  options?: { getRandomValues?: boolean },
): Promise<{ file: string; bytes: number; modules: MetroModule[] }>;
export declare function runHermesFile(file: string, options?: { timeoutMs?: number }): Promise<{ result: any; output: string[] }>;
export declare function runInHermes(
  entry: string,
  name: string,
  options?: { timeoutMs?: number; getRandomValues?: boolean },
): Promise<{ result: any; output: string[] }>;
export declare function resolveWorkspace(moduleName: string): string | null;
export declare function packageOfPath(path: string): string;
