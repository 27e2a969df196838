// Deprecated config keys that Consul still accepts: each moves its value to the new key (unless
// the new key is set too) and yields Consul's warning, which the agent logs at startup and
// `consul validate` prints (Consul: agent/config/builder.go "Handle Deprecated UI config fields",
// agent/config/deprecated.go deprecationWarning). The ACL and TLS keys belong to the security work.
import type { FileConfig } from './schema.js';

/** Consul's deprecationWarning text. */
export function deprecationWarning(oldKey: string, newKey: string): string {
  return `The '${oldKey}' field is deprecated. Use the '${newKey}' field instead.`;
}

const UI_MOVES: readonly { old: 'ui' | 'ui_dir' | 'ui_content_path'; to: 'enabled' | 'dir' | 'content_path' }[] = [
  { old: 'ui', to: 'enabled' },
  { old: 'ui_dir', to: 'dir' },
  { old: 'ui_content_path', to: 'content_path' },
];

/** The merged config with deprecated keys moved to their replacements, and the warnings. */
export function applyDeprecatedConfig(f: FileConfig): { config: FileConfig; warnings: string[] } {
  const warnings: string[] = [];
  const uiConfig: Record<string, unknown> = { ...(f.ui_config ?? {}) };
  const config: FileConfig = { ...f };
  for (const { old, to } of UI_MOVES) {
    const v = f[old];
    if (v === undefined) continue;
    warnings.push(deprecationWarning(old, `ui_config.${to}`));
    if (uiConfig[to] === undefined) uiConfig[to] = v;
    delete config[old];
  }
  if (Object.keys(uiConfig).length > 0) config.ui_config = uiConfig;
  return { config, warnings };
}
