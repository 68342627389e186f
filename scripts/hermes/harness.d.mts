export declare const HERMES_BIN: string;
export declare function bundleForHermes(entry: string, name: string): Promise<{ file: string; bytes: number }>;
export declare function runHermesFile(file: string, options?: { timeoutMs?: number }): Promise<{ result: any; output: string[] }>;
export declare function runInHermes(entry: string, name: string, options?: { timeoutMs?: number }): Promise<{ result: any; output: string[] }>;
