export declare const PHONE_ENTRIES: string[];
export declare function phoneEntry(name: string): string;
export interface Share { pkg: string; min: number; share: number; gzipAlone?: number }
export declare function metroSize(entry: string, name: string): Promise<{ min: number; gzip: number; shares: Share[]; modules: Array<{ pkg: string; path: string; min: number; gzipAlone: number; code: string }>; code: string }>;
export declare function esbuildSize(entry: string): Promise<{ min: number; gzip: number; shares: Share[] }>;
export declare function checkPhoneEntry(name: string): Promise<{ packages: string[]; modules: string[]; result: { textEncoder: string; exports: string[] } }>;
