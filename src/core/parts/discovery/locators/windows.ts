import path from 'node:path';
import type { Candidate } from '../types';
import { windowsInstallationPython } from '../../../leaves/layout';
import { interpretersIn, isPresent, joinLike, listDir, type Locator } from './context';

/** One interpreter registered under PEP 514's `Software\Python\COMPANY\TAG\InstallPath`. */
export interface RegistryEntry {
  readonly company: string;
  readonly tag: string;
  readonly executable: string;
}

/**
 * Parses `reg query HKxx\Software\Python /s` output (PEP 514): `ExecutablePath` of each
 * `InstallPath` key, else its `(Default)` folder plus `python.exe`.
 */
export function parseRegistryOutput(output: string): RegistryEntry[] {
  const entries: RegistryEntry[] = [];
  let key: { company: string; tag: string; values: Map<string, string> } | undefined;
  const flush = (): void => {
    if (!key) return;
    const folder = key.values.get('(default)');
    const executable = key.values.get('executablepath') ?? (folder ? path.win32.join(folder, 'python.exe') : undefined);
    if (executable) entries.push({ company: key.company, tag: key.tag, executable });
    key = undefined;
  };
  for (const line of output.split(/\r?\n/)) {
    const keyMatch = /^HKEY_[A-Z_]+\\Software\\(?:WOW6432Node\\)?Python\\([^\\]+)\\([^\\]+)\\InstallPath\s*$/i.exec(line.trim());
    if (keyMatch?.[1] && keyMatch[2]) {
      flush();
      key = { company: keyMatch[1], tag: keyMatch[2], values: new Map() };
      continue;
    }
    if (/^HKEY_/i.test(line.trim())) flush();
    const value = /^\s+(\S.*?)\s{2,}REG_(?:SZ|EXPAND_SZ)\s{2,}(.*?)\s*$/.exec(line);
    if (key && value?.[1] && value[2] !== undefined) key.values.set(value[1].toLowerCase(), value[2]);
  }
  flush();
  return entries;
}

/** Parses `py --list-paths` (also the older `-0p` layout): `-V:3.12 *   C:\...\python.exe` lines. */
export function parsePyLauncherOutput(output: string): { tag: string; executable: string }[] {
  return output.split(/\r?\n/).flatMap((line) => {
    const m = /^\s*-(?:V:)?(\S+?)\s+(?:\*\s+)?([A-Za-z]:\\.*?\.exe)\s*$/i.exec(line);
    return m?.[1] && m[2] ? [{ tag: m[1], executable: m[2] }] : [];
  });
}

/**
 * Windows: the PEP 514 registry, `py --list-paths`, the Microsoft Store's WindowsApps aliases,
 * and the folders python.org's installer uses whether or not it registered them (a registry
 * cleaned by hand, an install with the registry step off): `%LOCALAPPDATA%\\Programs\\Python\\PythonXY`
 * for the current user, `%ProgramFiles%\\PythonXY` for all users.
 */
export const windowsLocator: Locator = (context) => {
  if (context.platform !== 'win32') return [];
  const registry = parseRegistryOutput(context.registryOutput ?? '').map((e): Candidate => ({ path: e.executable, kind: 'registry', locator: 'windows', envName: `${e.company}\\${e.tag}` }));
  const launcher = parsePyLauncherOutput(context.pyLauncherOutput ?? '').map((e): Candidate => ({ path: e.executable, kind: 'registry', locator: 'windows', envName: e.tag }));
  const localAppData = context.env.LOCALAPPDATA || joinLike(context.home, 'AppData', 'Local');
  const store = interpretersIn(joinLike(localAppData, 'Microsoft', 'WindowsApps'), { kind: 'store', locator: 'windows' }, context.platform);
  const perUser = pythonOrgInstalls(joinLike(localAppData, 'Programs', 'Python'));
  const allUsers = [context.env.ProgramFiles, context.env['ProgramFiles(x86)']].flatMap((dir) => (dir ? pythonOrgInstalls(dir) : []));
  return [...registry, ...launcher, ...store, ...perUser, ...allUsers];
};

/** python.org installations in `parent`: `PythonXY` and `PythonXY-32`/`-arm64` folders holding `python.exe`. */
function pythonOrgInstalls(parent: string): Candidate[] {
  return listDir(parent)
    .filter((name) => /^Python\d+(-32|-arm64)?t?$/i.test(name))
    .map((name) => windowsInstallationPython(joinLike(parent, name)))
    .filter(isPresent)
    .map((exe): Candidate => ({ path: exe, kind: 'system', locator: 'windows' }));
}
