/**
 * One table per class of wrong answer venv-pilot gave through @renovatebot/pep440 and its own
 * PEP 508 code, with packaging 26.3's answers (pep440Differential.test.ts checks the same against
 * the live library at scale; these stay readable and need no Python).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, filterVersions, isValidSpecifierSet, isValidVersion, normalizeVersion, parseSpecifier, satisfies } from '../../src/core/leaves/requirements/pep440';
import { checkMarker, evaluateMarker, evaluateMarkerOutcome, parsePep508 } from '../../src/core/leaves/requirements/pep508';

const ENV = {
  implementation_name: 'cpython', implementation_version: '3.12.1', os_name: 'posix', platform_machine: 'x86_64', platform_release: '6.1.0-18-amd64', platform_system: 'Linux',
  platform_version: '#1 SMP', python_full_version: '3.12.1', platform_python_implementation: 'CPython', python_version: '3.12', sys_platform: 'linux', extra: '',
};

describe('PEP 440 ordering (packaging _cmpkey)', () => {
  const table: [a: string, b: string, order: -1 | 0 | 1][] = [
    ['1.0', '1.0.dev1', 1],
    ['1.0', '1.0.post1', -1],
    ['2!1.0', '1.0', 1],
    ['1!0.1', '2.0', 1],
    ['1.0.dev1', '1.0a1', -1],
    ['1.0a1.dev1', '1.0a1', -1],
    ['1.0rc1', '1.0', -1],
    ['1.0.post1.dev1', '1.0.post1', -1],
    ['1.0', '1.0.0.0', 0],
    ['1.0+local', '1.0', 1],
    ['1.0+abc', '1.0+1', -1],
    ['1.0+1.abc', '1.0+1', 1],
    ['1.0-1', '1.0.post1', 0],
    ['1.0alpha1', '1.0a1', 0],
    ['1.0c1', '1.0rc1', 0],
    ['v1.0', '1.0', 0],
    ['1.99999999999999999999', '1.99999999999999999998', 1],
  ];
  for (const [a, b, order] of table) it(`${a} vs ${b}: ${order}`, () => assert.equal(compareVersions(a, b), order));

  it('normalises as str(Version) does, and refuses what Version() refuses', () => {
    assert.equal(normalizeVersion(' V1.0-ALPHA.2_POST-3.DEV-4+Ubuntu-1 '), '1.0a2.post3.dev4+ubuntu.1');
    assert.equal(normalizeVersion('1!2.0.r'), '1!2.0.post0');
    for (const bad of ['', '1.0.*', '1..0', '1.0+', '1.0 a1', 'garbage', '1.0+\u017f']) assert.equal(isValidVersion(bad), false, bad);
    assert.throws(() => compareVersions('garbage', '1.0'), TypeError);
  });
});

describe('specifier matching (packaging 26 SpecifierSet.contains)', () => {
  const table: [version: string, specifier: string, fits: boolean][] = [
    ['2', '==2.0.*', true],
    ['2.0.post1', '==2.0.*', true],
    ['2.1', '==2.0.*', false],
    ['1!2.0', '==2.*', false],
    ['1.0+other', '==1.0+local', false],
    ['1.0+local', '==1.0+local', true],
    ['1.0+local', '==1.0', true],
    ['1.0+local', '!=1.0', false],
    ['1.0.0', '===1.0', false],
    ['1.0', '===1.0', true],
    ['FOO', '===foo', true],
    ['not-a-version', '!=1.0', false],
    ['not-a-version', '>=0', false],
    ['not-a-version', '===not-a-version', true],
    ['1.5', '~=1.4', true],
    ['2.0', '~=1.4', false],
    ['1.4.9', '~=1.4.5', true],
    ['1.5.0', '~=1.4.5', false],
    ['1.0.dev1', '<1.0', false],
    ['0.9.dev1', '<1.0', true],
    ['1.0rc1', '<1.0.post1', true],
    ['1.0.post1', '>1.0', false],
    ['1.0+local', '>1.0', false],
    ['1.0.post1', '>1.0.dev1', true],
    ['1.1', '>1.0', true],
    ['1.0+local', '<=1.0', true],
    ['1.0', '>=1.0,', true],
  ];
  for (const [version, specifier, fits] of table) it(`${version} in ${specifier}: ${fits}`, () => assert.equal(satisfies(version, specifier), fits));

  it('admits a pre-release unless told not to (packaging 26.0), as pip asks for installed versions', () => {
    assert.equal(satisfies('2.0b1', '>=1.0'), true);
    assert.equal(satisfies('2.0b1', '>=1.0', { prereleases: true }), true);
    assert.equal(satisfies('2.0b1', '>=1.0', { prereleases: false }), false);
    assert.equal(satisfies('2.0b1', '>=1.0', { prereleases: false, installed: true }), true);
  });

  it('filters candidates as pip does: pre-releases only when nothing else fits, or when a clause names one', () => {
    const id = (v: string): string => v;
    assert.deepEqual(filterVersions(['1.0', '2.0b1', '1.5'], '>=1.0', id), ['1.0', '1.5']);
    assert.deepEqual(filterVersions(['2.0b1', '2.0rc1'], '>=1.0', id), ['2.0b1', '2.0rc1']);
    assert.deepEqual(filterVersions(['1.0', '2.0b1'], '>=2.0a1', id), ['2.0b1']);
    assert.deepEqual(filterVersions(['1.0', '2.0b1'], '>=1.0', id, true), ['1.0', '2.0b1']);
    assert.deepEqual(filterVersions(['1.0', 'junk'], '>=1.0', id), ['1.0']);
  });
});

describe('specifier validity (packaging Specifier regex)', () => {
  const invalid = ['~=1.0+5', '>=1.0+deadbeef', '==1.0.dev1.*', '~=1', '<=1.*', '>=1.0<=2.0', '==1.0 beta', '=1.0', '===a b', '===1.0;x', '==1.0+local.*'];
  for (const text of invalid) it(`refuses ${JSON.stringify(text)}`, () => assert.equal(isValidSpecifierSet(text), false));
  const valid = ['', '>=1.0,', ' >= 1.0 , < 2 ', '==1.0.*', '!=1.0+local', '~=1.0.post1', '=== anything', '==v1.0a1'];
  for (const text of valid) it(`accepts ${JSON.stringify(text)}`, () => assert.equal(isValidSpecifierSet(text), true));

  it('keeps the operator and the stripped version as packaging does', () => {
    assert.deepEqual(parseSpecifier(' ===  1.0 '), { operator: '===', version: '1.0' });
    assert.deepEqual(parseSpecifier('==\t1.0.*'), { operator: '==', version: '1.0.*' });
  });
});

describe('PEP 508 specifiers in requirements (packaging 26 grammar, plus pip 23 legacy clauses)', () => {
  const errors: [text: string, message: RegExp][] = [
    ['name >= 1.0 <= 2.0', /Invalid version specifier ">= 1.0 <= 2.0"/],
    ['name ==1.0 beta', /Invalid version specifier "==1.0 beta"/],
    ['name ~=1.0+5', /Invalid version specifier "~=1.0\+5": a local version label/],
    ['name ~=1.0.*', /\.\* suffix can only be used with `==` or `!=`/],
    ['name ~=2..0', /^Invalid version specifier "~=2\.\.0"$/],
    ['name===a,b', /Invalid version specifier "b"/],
    ['name >=1.0,,<2', /Invalid version specifier/],
    ['this is not valid', /^Expected end or semicolon \(after name and no valid version specifier\)$/],
  ];
  for (const [text, message] of errors) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const parsed = parsePep508(text);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.message, message);
    });
  }

  const legacy = ['name>=1.0<=2.0', 'name>=1.0+deadbeef', 'name==1.0.dev1.*', 'name==foo', 'name (>=1.0abc)'];
  for (const text of legacy) {
    it(`accepts ${JSON.stringify(text)} as pip 23 did, flagged legacy (pip 24.1+ refuses it)`, () => {
      const parsed = parsePep508(text);
      assert.equal(parsed.ok && parsed.requirement.legacySpecifier, true);
    });
  }

  it('keeps clauses as written without spaces, drops an empty trailing clause, and takes empty parentheses', () => {
    assert.deepEqual(parsePep508('name >= 2.0 , < 3 ,'), { ok: true, requirement: { name: 'name', normalizedName: 'name', extras: [], specifier: '>=2.0,<3' } });
    assert.deepEqual(parsePep508('name ()'), { ok: true, requirement: { name: 'name', normalizedName: 'name', extras: [], specifier: '' } });
  });
});

describe('PEP 508 markers (packaging 26 _parse_marker, _evaluate_markers, _eval_op)', () => {
  it('parses and validates the marker after name @ URL', () => {
    assert.equal(parsePep508('name @ https://x.org/y.zip ; bogus_var == "1"').ok, false);
    assert.deepEqual(parsePep508('name @ https://x.org/y.zip ; os_name == "posix"'), { ok: true, requirement: { name: 'name', normalizedName: 'name', extras: [], specifier: '', url: 'https://x.org/y.zip', marker: 'os_name == "posix"' } });
    // A ";" glued to the URL is part of it (the URL token stops only at whitespace), so what follows is no marker.
    assert.equal(parsePep508('name @ https://x.org/y.zip;bogus_var == "1"').ok, false);
    assert.equal(checkMarker(`bogus_var == '1'`), 'Unknown marker variable "bogus_var"');
  });

  const values: [marker: string, value: boolean][] = [
    ['os_name <= "posix"', true],
    ['os_name >= "posix"', true],
    ['os_name < "z"', false],
    ['os_name > "a"', false],
    ['os_name != "nt"', true],
    ['"pos" in os_name', true],
    ['python_version >= "3.8"', true],
    ['python_version < "3.12.0"', false],
    ['python_full_version < "3.13.0a1"', true],
    ['python_version === "3.12"', true],
    ['platform_release >= "6"', false],
    ['python_version == "3.12" and os_name == "nt" or sys_platform == "linux"', true],
    ['os.name == "posix" and platform.machine == "x86_64"', true],
    ["os_name == '\\x70osix'", true],
    ['extra == "Dev_Tools"', false],
  ];
  for (const [marker, value] of values) it(`${marker}: ${value}`, () => assert.equal(evaluateMarker(marker, ENV), value));

  it('normalises extra names (PEP 685)', () => {
    assert.equal(evaluateMarker('extra == "Dev_Tools"', { ...ENV, extra: 'dev.tools' }), true);
  });

  const undefinedOnes: [marker: string, error: string][] = [
    ['os_name ~= "1.0"', 'undefined-comparison'],
    ['os_name === "posix"', 'undefined-comparison'],
    ['python_version ~= "3"', 'undefined-comparison'],
    // Evaluation is eager: an undefined comparison fails the marker even where "or" would not need it.
    ['os_name == "posix" or python_version ~= "x"', 'undefined-comparison'],
    // With two literals, the right one names the variable: there is no variable "a".
    ['"a" <= "a"', 'undefined-environment-name'],
    ['extras == "a"', 'undefined-environment-name'],
    ['os_name == ', 'invalid-marker'],
    ['os_name = "posix"', 'invalid-marker'],
    ['os_name == "x"andos_name == "y"', 'invalid-marker'],
    ['os_name notin "x"', 'invalid-marker'],
    ["os_name == '\\x4'", 'invalid-marker'],
  ];
  for (const [marker, error] of undefinedOnes) {
    it(`${JSON.stringify(marker)} has no value: ${error}`, () => {
      const outcome = evaluateMarkerOutcome(marker, ENV);
      assert.equal(outcome.ok ? 'a value' : outcome.error, error);
      assert.equal(evaluateMarker(marker, ENV), undefined);
    });
  }

  it('reports \\N{NAME} escapes as unsupported (a deliberate difference: no Unicode name table here)', () => {
    assert.equal(evaluateMarker('os_name == "\\N{LATIN SMALL LETTER P}osix"', ENV), undefined);
  });
});
