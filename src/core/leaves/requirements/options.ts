/**
 * The options of pip's requirements-file format: one table that the parser reads (spellings,
 * short forms, which take a value) and the language server shows (pip's help text in hovers and
 * completion). Source: pip 23.2.1, req_file.SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ, defined
 * in cli/cmdoptions.py; help texts cut to what a hover shows.
 */

/** One option a requirements file may carry. */
export interface RequirementsOption {
  /** The long name, e.g. `--index-url`. */
  readonly name: string;
  /** Older long spellings pip still accepts for it (`--pypi-url`). */
  readonly aliases?: readonly string[];
  /** The one-letter form, e.g. `-i`. */
  readonly short?: string;
  /** True when it takes no value (optparse's `store_true`). */
  readonly flag?: boolean;
  /** True for the per-requirement options (`--hash`, `--config-settings`, `--global-option`), which stand after a requirement. */
  readonly perRequirement?: boolean;
  /** pip's help text for it. */
  readonly help: string;
}

/** The options, in the order optparse registers them (which decides nothing but the help order). */
export const REQUIREMENTS_OPTIONS: readonly RequirementsOption[] = [
  { name: '--index-url', aliases: ['--pypi-url'], short: '-i', help: 'Base URL of the Python Package Index (default https://pypi.org/simple). This should point to a repository compliant with PEP 503 (the simple repository API) or a local directory laid out in the same format.' },
  { name: '--extra-index-url', help: 'Extra URLs of package indexes to use in addition to --index-url. Should follow the same rules as --index-url.' },
  { name: '--no-index', flag: true, help: 'Ignore package index (only looking at --find-links URLs instead).' },
  { name: '--constraint', short: '-c', help: 'Constrain versions using the given constraints file. This option can be used multiple times.' },
  { name: '--requirement', short: '-r', help: 'Install from the given requirements file. This option can be used multiple times.' },
  { name: '--editable', short: '-e', help: 'Install a project in editable mode (i.e. setuptools "develop mode") from a local project path or a VCS url.' },
  { name: '--find-links', short: '-f', help: "If a URL or path to an html file, then parse for links to archives such as sdist (.tar.gz) or wheel (.whl) files. If a local path or file:// URL that's a directory, then look for archives in the directory listing." },
  { name: '--no-binary', help: 'Do not use binary packages. Accepts either ":all:" to disable all binary packages, ":none:" to empty the set (notice the colons), or one or more package names with commas between them (no colons).' },
  { name: '--only-binary', help: 'Do not use source packages. Accepts either ":all:" to disable all source packages, ":none:" to empty the set, or one or more package names with commas between them.' },
  { name: '--prefer-binary', flag: true, help: 'Prefer binary packages over source packages, even if the source packages are newer.' },
  { name: '--require-hashes', flag: true, help: 'Require a hash to check each requirement against, for repeatable installs. This option is implied when any package in a requirements file has a --hash option.' },
  { name: '--pre', flag: true, help: 'Include pre-release and development versions. By default, pip only finds stable versions.' },
  { name: '--trusted-host', help: 'Mark this host or host:port pair as trusted, even though it does not have valid or any HTTPS.' },
  { name: '--use-feature', help: 'Enable new functionality, that may be backward incompatible.' },
  { name: '--global-option', perRequirement: true, help: 'Extra global options to be supplied to the setup.py call before the install or bdist_wheel command.' },
  { name: '--hash', perRequirement: true, help: "Verify that the package's archive matches this hash before installing. Example: --hash=sha256:abcdef..." },
  { name: '--config-settings', short: '-C', perRequirement: true, help: 'Configuration settings to be passed to the PEP 517 build backend. Settings take the form KEY=VALUE.' },
];

/**
 * `pip install` options people put in requirements files although pip rejects them there, with
 * pip's help text: a hover explains both what the option does and why the line is flagged.
 */
export const COMMAND_LINE_ONLY_OPTIONS: readonly RequirementsOption[] = [
  { name: '--no-deps', flag: true, help: "Don't install package dependencies." },
  { name: '--upgrade', short: '-U', flag: true, help: 'Upgrade all specified packages to the newest available version. The handling of dependencies depends on the upgrade-strategy used.' },
  { name: '--force-reinstall', flag: true, help: 'Reinstall all packages even if they are already up-to-date.' },
  { name: '--ignore-installed', short: '-I', flag: true, help: 'Ignore the installed packages, overwriting them.' },
  { name: '--user', flag: true, help: 'Install to the Python user install directory for your platform.' },
  { name: '--target', short: '-t', help: 'Install packages into <dir>.' },
  { name: '--no-build-isolation', flag: true, help: 'Disable isolation when building a modern source distribution. Build dependencies specified by PEP 518 must be already installed if this option is used.' },
  { name: '--no-cache-dir', flag: true, help: 'Disable the cache.' },
];

/** Every long spelling of a requirements-file option, in registration order, with the option it spells. */
export function longSpellings(): ReadonlyMap<string, RequirementsOption> {
  return new Map(REQUIREMENTS_OPTIONS.flatMap((o) => [o.name, ...(o.aliases ?? [])].map((spelling) => [spelling, o] as const)));
}

/** The requirements-file option a one-letter form (`-i`) stands for. */
export function shortOption(spelling: string): RequirementsOption | undefined {
  return REQUIREMENTS_OPTIONS.find((o) => o.short === spelling);
}
