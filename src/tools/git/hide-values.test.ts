import { describe, expect, it } from 'vitest';
import { hideManifestValues, hideValueLines, restoreHiddenValues } from './hide-values.ts';

const FILE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"secret":"x"}'
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - name: LICENCE
              value: LIC-7781-ACME-QQ91 # from the vendor
            - name: MODE
              valueFrom: { configMapKeyRef: { name: web, key: mode } }
          resources: { limits: { memory: 256Mi } }
---
apiVersion: v1
kind: Secret
metadata: { name: web-db }
data: { username: d2ViYXBw }
`;

describe("a manifest's values that are never shown", () => {
  it('hides env values, Secret data and the last-applied annotation, keeping the rest as written', () => {
    const shown = hideManifestValues(FILE);

    expect(shown).not.toContain('LIC-7781-ACME-QQ91');
    expect(shown).not.toContain('d2ViYXBw');
    expect(shown).not.toContain('{"secret":"x"}');
    expect(shown).toContain('value: "[redacted]" # from the vendor');
    expect(shown).toContain('valueFrom: { configMapKeyRef: { name: web, key: mode } }');
    expect(shown).toContain('resources: { limits: { memory: 256Mi } }');
  });

  it('puts the hidden values back into a change written from what was shown', () => {
    const edited = hideManifestValues(FILE).replace('memory: 256Mi', 'memory: 512Mi');

    const restored = restoreHiddenValues(FILE, edited);

    expect(restored).toContain('value: LIC-7781-ACME-QQ91 # from the vendor');
    expect(restored).toContain('username: d2ViYXBw');
    expect(restored).toContain('memory: 512Mi');
    expect(() => restoreHiddenValues(FILE, edited.replace('name: LICENCE', 'name: OTHER'))).toThrow(
      /\[redacted\] at .*env\[OTHER\]\.value, where the file has no value to keep/,
    );
  });

  it('hides the value lines of a diff', () => {
    expect(
      hideValueLines('-              value: old-key\n+              value: new-key\n name: x'),
    ).toBe('-              value: [redacted]\n+              value: [redacted]\n name: x');
  });
});
