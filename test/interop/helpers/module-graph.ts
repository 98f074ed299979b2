import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * The packages a TypeScript entry point pulls in at run time, following its relative imports: what a front-end bundle
 * of it would contain besides our own files. Type-only imports and exports are left out (every TypeScript compiler
 * erases them).
 */
export function runtimeImports(entry: string): { external: string[]; files: number } {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8").replace(/^(?:import|export) type [^;]*;/gm, "");
    for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      if (spec!.startsWith(".")) visit(path.resolve(path.dirname(file), spec!.replace(/\.js$/, ".ts")));
      else external.add(spec!);
    }
  };
  visit(path.resolve(entry));
  return { external: [...external].sort(), files: seen.size };
}
