// Fails when the JavaScript a browser loads for the first page of dist/ is over its gzip budget.
// Run after `npm run build`. The first page loads what index.html names: its module scripts and
// the chunks it preloads; chunks only reached through import() do not count.
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";

/** Bytes of gzip; about 10 % above the 113.6 kB the app weighed when the budget was set. */
const FIRST_PAGE_JS_GZIP_BUDGET = 125_000;

const dist = new URL("../dist/", import.meta.url);
const html = await readFile(new URL("index.html", dist), "utf8").catch(() => {
  console.error("dist/index.html is missing: run `npm run build` first.");
  process.exit(1);
});

const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
const assets = tags
  .filter((tag) => /type="module"/.test(tag) || /rel="modulepreload"/.test(tag))
  .map((tag) => tag.match(/(?:src|href)="\/?([^"]+)"/)?.[1])
  .filter((path) => path !== undefined);
if (!assets.length) {
  console.error("dist/index.html names no module script: the budget check cannot find the app.");
  process.exit(1);
}

let total = 0;
for (const path of assets) {
  const size = gzipSync(await readFile(new URL(path, dist))).length;
  total += size;
  console.log(`${path}: ${(size / 1000).toFixed(1)} kB gzip`);
}
const summary = `first page JS: ${(total / 1000).toFixed(1)} kB gzip, budget ${FIRST_PAGE_JS_GZIP_BUDGET / 1000} kB`;
if (total > FIRST_PAGE_JS_GZIP_BUDGET) {
  console.error(`Over budget: ${summary}. Split a route with React.lazy or drop a dependency.`);
  process.exit(1);
}
console.log(`Within budget: ${summary}.`);
