/**
 * Where the browser tests' dev server forwards to the Dubbo Java peer (test/setup/java-proxy.ts).
 * Java 3.3 answers no CORS preflight, so a page can call it only on its own origin: this is the
 * "same-origin proxy" the README tells Java users to set up.
 */
export const JAVA_PROXY_PATH = "/__java";
