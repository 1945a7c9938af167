/**
 * The Go template subset against Go's and sprig's documented behaviour:
 * each expected output here is what `helm template` prints for the same
 * template and values.
 */
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { mergeValues } from './chart.js';
import { execute } from './exec.js';
import { FUNCTIONS, toYaml } from './functions.js';
import { parseTemplate, type Node } from './parser.js';
import { goNumber, type Value } from './value.js';

function render(src: string, data: Value = {}): string {
  const defines = new Map<string, Node[]>();
  const { root } = parseTemplate(src, 't.yaml', defines);
  return execute(root, data, { defines, funcs: FUNCTIONS });
}

describe('whitespace and text', () => {
  test('{{- and -}} trim spaces, tabs and newlines on their side only', () => {
    assert.equal(render('a  \n {{- " b " -}} \n\t c'), 'a b c');
    assert.equal(render('a {{ "b" }} c'), 'a b c');
    assert.equal(render('x\n  {{- if true }}\n  y\n  {{- end }}\nz'), 'x\n  y\nz');
  });

  test('comments vanish, their trim markers still apply', () => {
    assert.equal(render('a {{- /* note */ -}} b'), 'ab');
    assert.equal(render('a {{/* note */}} b'), 'a  b');
  });

  test('a "-" not followed by a space is a number, not a trim marker', () => {
    assert.equal(render('a {{-3}} b'), 'a -3 b');
  });
});

describe('control structures', () => {
  test('if / else if / else use Go truth (0, "", nil, empty list and map are false)', () => {
    const t = '{{ if .a }}a{{ else if .b }}b{{ else if .c }}c{{ else }}none{{ end }}';
    assert.equal(render(t, { a: 0, b: '', c: [] }), 'none');
    assert.equal(render(t, { a: {}, b: 'x' }), 'b');
    assert.equal(render(t, { a: [1] }), 'a');
  });

  test('with rebinds the dot, else runs on an empty value', () => {
    assert.equal(render('{{ with .a }}[{{ .b }}]{{ else }}none{{ end }}', { a: { b: 'x' } }), '[x]');
    assert.equal(render('{{ with .a }}[{{ . }}]{{ else }}none{{ end }}', {}), 'none');
  });

  test('range over lists (index, value) and mappings (sorted keys), else when empty', () => {
    assert.equal(render('{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}', { l: ['a', 'b'] }), '0=a;1=b;');
    assert.equal(render('{{ range $k, $v := . }}{{ $k }}{{ $v }}{{ end }}', { b: 1, a: 2 }), 'a2b1');
    assert.equal(render('{{ range .l }}{{ . }}{{ else }}empty{{ end }}', { l: [] }), 'empty');
    assert.equal(render('{{ range .l }}{{ $.x }}{{ . }}{{ end }}', { l: [1, 2], x: '-' }), '-1-2');
  });

  test('variables: := declares in the block, = assigns outward, scopes end with the block', () => {
    assert.equal(render('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}'), '2');
    assert.throws(() => render('{{ if true }}{{ $y := 3 }}{{ end }}{{ $y }}'), /undefined variable: \$y/);
  });

  test('define and include, with a dict as the data', () => {
    assert.equal(render('{{ define "x" }}[{{ .a }}/{{ .b.c }}]{{ end }}{{ include "x" (dict "a" 1 "b" (dict "c" "z")) }}'), '[1/z]');
    assert.throws(() => render('{{ include "nope" . }}'), /no template "nope"/);
  });

  test('template and block are refused (the chart uses include)', () => {
    assert.throws(() => render('{{ template "x" . }}'), /not supported here: use include/);
  });
});

describe('values and fields', () => {
  test('a missing key is nil and prints as nothing; a field of nil is an error', () => {
    assert.equal(render('[{{ .nope }}]'), '[]');
    assert.throws(() => render('{{ .a.b }}'), /t\.yaml:1: nil pointer evaluating interface \{\}\.b/);
  });

  test('(pipeline).field', () => {
    assert.equal(render('{{ (dict "a" (dict "b" "c")).a.b }}'), 'c');
    assert.equal(render('{{ (lookup "v1" "Secret" "ns" "x").data | default "none" }}'), 'none');
  });

  test('numbers print as Go prints float64 (values from YAML are float64)', () => {
    assert.equal(render('{{ .p }}', { p: 8899 }), '8899');
    assert.equal(goNumber(1_000_000), '1e+06');
    assert.equal(goNumber(123456), '123456');
    assert.equal(goNumber(0.5), '0.5');
    assert.equal(goNumber(0.00001), '1e-05');
  });

  test('printing a list or mapping directly is refused: use toYaml', () => {
    assert.throws(() => render('{{ .l }}', { l: [1] }), /use toYaml/);
  });
});

describe('functions', () => {
  test('and / or return the deciding argument and stop there', () => {
    assert.equal(render('{{ or "" "b" "c" }}'), 'b');
    assert.equal(render('{{ and 1 0 2 }}'), '0');
    assert.equal(render('{{ and 0 (fail "never") }}'), '0');
    assert.equal(render('{{ or 1 (fail "never") }}'), '1');
  });

  test('default treats every empty value as missing (false and 0 included, as sprig does)', () => {
    assert.equal(render('{{ default "d" "" }}'), 'd');
    assert.equal(render('{{ "" | default "d" }}'), 'd');
    assert.equal(render('{{ false | default true }}'), 'true');
    assert.equal(render('{{ "x" | default "d" }}'), 'x');
  });

  test('quote, printf, join, replace (a "$$" replacement is literal), trimSuffix, b64enc, len, lt', () => {
    assert.equal(render('{{ quote "a\\"b" 1 }}'), '"a\\"b" "1"');
    assert.equal(render('{{ printf "%s-%d%%" "a" 3 }}'), 'a-3%');
    assert.equal(render('{{ join "," .l }}', { l: ['a', 'b'] }), 'a,b');
    assert.equal(render('{{ replace "$" "$$" "a$b" }}'), 'a$$b');
    assert.equal(render('{{ trimSuffix "-" "a-" }}'), 'a');
    assert.equal(render('{{ b64enc "podtap" }}'), 'cG9kdGFw');
    assert.equal(render('{{ if lt (len "abc") 4 }}short{{ end }}'), 'short');
  });

  test('eq compares like kinds only, as Go does', () => {
    assert.equal(render('{{ eq "a" "b" "a" }}'), 'true');
    assert.throws(() => render('{{ eq 1 "1" }}'), /incompatible types/);
  });

  test('required and fail stop rendering with the message', () => {
    assert.throws(() => render('{{ required "give x" .x }}'), /give x/);
    assert.throws(() => render('{{ fail "stop here" }}'), /stop here/);
  });

  test('nindent and indent pad every line', () => {
    assert.equal(render('{{ "a\\nb" | nindent 2 }}'), '\n  a\n  b');
    assert.equal(render('{{ indent 1 "a\\nb" }}'), ' a\n b');
  });

  test('toYaml writes as sigs.k8s.io/yaml: sorted keys, lists at the key\'s indent, YAML 1.1 words quoted', () => {
    assert.equal(toYaml({ b: 1, a: ['x'], c: 'yes', d: 'true', e: '0755', f: {} }), 'a:\n- x\nb: 1\nc: "yes"\nd: "true"\ne: "0755"\nf: {}');
  });

  test('list, and the certificate functions: sprig\'s .Cert/.Key, a CA and a leaf for server and client use', () => {
    assert.equal(render('{{ join "," (list "a" "b") }}|{{ len (list) }}'), 'a,b|0');
    const pem = render('{{ $ca := genCAWithKey "x CA" 10 (genPrivateKey "ecdsa") }}{{ $c := genSignedCertWithKey "leaf" (list "10.0.0.1") (list "svc.ns") 5 $ca (genPrivateKey "ecdsa") }}{{ $ca.Cert }}{{ $c.Cert }}{{ $c.Key }}');
    const [ca, leaf] = pem.split(/(?=-----BEGIN CERTIFICATE-----)/).map((p) => new X509Certificate(p.replace(/-----BEGIN EC PRIVATE KEY-----[\s\S]*$/, '')));
    assert.ok(ca!.ca && leaf!.checkIssued(ca!) && leaf!.verify(ca!.publicKey));
    assert.equal(leaf!.subjectAltName, 'DNS:svc.ns, IP Address:10.0.0.1');
    assert.deepEqual(leaf!.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    assert.match(pem, /-----BEGIN EC PRIVATE KEY-----/, 'genPrivateKey "ecdsa" is SEC1 PEM, as sprig writes it');
    assert.throws(() => render('{{ genPrivateKey "rsa" }}'), /only "ecdsa"/);
  });

  test('a function outside the subset is an error, never a silent empty string', () => {
    assert.throws(() => render('{{ tpl "x" . }}'), /function "tpl" is not in this renderer's Helm subset/);
  });
});

describe('charts', () => {
  test('user values merge over values.yaml: mappings key by key, null deletes, lists replace', () => {
    assert.deepEqual(
      mergeValues({ a: { b: 1, c: 2 }, l: [1, 2], s: 'x' }, { a: { c: null, d: 3 }, l: [3] }),
      { a: { b: 1, d: 3 }, l: [3], s: 'x' },
    );
  });

});
