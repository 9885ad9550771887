/** Builds the SDK floor into outDir; resolves to the launcher's path. */
export declare function buildSdkFloor(outDir: string): Promise<string>;
