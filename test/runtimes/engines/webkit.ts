// Debian's WebKitGTK (the engine of Safari) driven over W3C WebDriver: Xvfb for its display,
// WebKitWebDriver (package webkit2gtk-driver) starting MiniBrowser in automation mode, and a
// few WebDriver commands over fetch. Every process is started here and stopped by its PID.

import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "../../setup/peer-process.js";
import { requireDebianBinary } from "./debian.js";
import { AWAIT_RESULT_SOURCE, type EngineSession } from "./session.js";

export const WEBKIT_DRIVER_PATH = "/usr/bin/WebKitWebDriver";
export const XVFB_PATH = "/usr/bin/Xvfb";

/** Starts Xvfb on the first free display (it writes the number to fd 3) and resolves with it. */
async function startXvfb(): Promise<{ process: ChildProcess; display: string }> {
  const xvfb = spawn(requireDebianBinary(XVFB_PATH, "xvfb", "Xvfb (WebKitGTK needs a display)"), ["-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "1280x800x24"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    xvfb.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
    (xvfb.stdio[3] as NodeJS.ReadableStream).setEncoding("utf8");
    (xvfb.stdio[3] as NodeJS.ReadableStream).on("data", (c: string) => {
      out += c;
      if (out.includes("\n")) resolve(`:${out.trim()}`);
    });
    xvfb.once("error", reject);
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited (${code}) before giving a display:\n${err}`)));
  });
  return { process: xvfb, display };
}

/** Sends one WebDriver command; throws the driver's error message on an error answer. */
async function command(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json; charset=utf-8" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as { value: unknown };
  const value = json.value as { error?: string; message?: string } | null;
  if (!res.ok || (value !== null && typeof value === "object" && typeof value.error === "string")) {
    throw new Error(`WebDriver ${method} ${path}: ${value?.error ?? res.status}: ${value?.message ?? ""}`);
  }
  return json.value;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

/** The POSIX locale WebKitGTK runs under unless a test asks for another (see WebKitOptions.locale). */
export const WEBKIT_DEFAULT_LOCALE = "en_US.UTF-8";

export interface WebKitOptions {
  /**
   * The POSIX locale (LC_ALL) the browser runs under; WebKitGTK derives `navigator.language` from
   * it. Default WEBKIT_DEFAULT_LOCALE: "en-US", as a Safari user's browser reports a language tag.
   * Debian's default, "C.UTF-8", makes WebKitGTK 2.50 report "C", which is no language tag:
   * `new Intl.NumberFormat(navigator.language)` throws a RangeError there (an uninstalled locale,
   * "C" or "POSIX" give "en-US").
   */
  readonly locale?: string;
}

/**
 * Starts WebKitGTK's MiniBrowser through WebKitWebDriver. `acceptInsecureCerts` lets fetch reach
 * the test server's self-signed HTTP/2 listener.
 */
export async function launchWebKit(options: WebKitOptions = {}): Promise<EngineSession> {
  const driverPath = requireDebianBinary(WEBKIT_DRIVER_PATH, "webkit2gtk-driver", "WebKitGTK's WebDriver");
  const xvfb = await startXvfb();
  const port = await freePort();
  const driverLog: string[] = [];
  const locale = options.locale ?? WEBKIT_DEFAULT_LOCALE;
  const driver = spawn(driverPath, [`--port=${port}`], {
    env: { ...process.env, DISPLAY: xvfb.display, LC_ALL: locale, LANG: locale },
    stdio: ["ignore", "pipe", "pipe"],
  });
  driver.stdout!.setEncoding("utf8").on("data", (c: string) => driverLog.push(c));
  driver.stderr!.setEncoding("utf8").on("data", (c: string) => driverLog.push(c));
  const base = `http://127.0.0.1:${port}`;
  let sessionId: string | undefined;
  const closeAll = async () => {
    if (sessionId !== undefined) await command(base, "DELETE", `/session/${sessionId}`).catch(() => {});
    sessionId = undefined;
    await stop(driver);
    await stop(xvfb.process);
  };
  try {
    // The driver answers /status once it listens; wait for that (a hang is caught by the test's timeout).
    for (;;) {
      if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode}):\n${driverLog.join("")}`);
      const ready = await command(base, "GET", "/status").then(
        (v) => (v as { ready?: boolean }).ready === true,
        () => false,
      );
      if (ready) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const session = (await command(base, "POST", "/session", {
      capabilities: { alwaysMatch: { acceptInsecureCerts: true, "webkitgtk:browserOptions": { args: ["--automation"] } } },
    })) as { sessionId: string; capabilities: { browserVersion?: string } };
    sessionId = session.sessionId;
    const version = `WebKitGTK ${session.capabilities.browserVersion ?? "?"}`;
    const logs: string[] = [];
    return {
      version,
      async runPage(url, timeoutMs, source = AWAIT_RESULT_SOURCE) {
        await command(base, "POST", `/session/${sessionId}/timeouts`, { script: timeoutMs });
        await command(base, "POST", `/session/${sessionId}/url`, { url });
        const script = `const done = arguments[arguments.length - 1];
          (async () => {${source}})().then(done, (e) => done(JSON.stringify({ pageError: String(e) })));`;
        return String(await command(base, "POST", `/session/${sessionId}/execute/async`, { script, args: [] }));
      },
      log: () => [...logs, driverLog.join("")].join("\n"),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
