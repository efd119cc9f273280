/** Headless Debian Chromium for the harness, the end-to-end check and the activation benchmark. */
import { chromium, type Browser } from 'playwright-core';

/** Flags that keep Chromium off this machine's closed network and fit it to a container (running as root). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Launches headless Chromium: `$CHROMIUM`, else Debian's `/usr/bin/chromium` (scripts/system-deps.sh installs it). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}
