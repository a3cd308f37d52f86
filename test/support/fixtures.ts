/** Where the packs and files that integration tests load from live (test/fixtures). */
export const FIXTURES = new URL("../fixtures", import.meta.url).pathname;
