import { validate } from '../../../shared/api/validate';
import { formatSize } from '../../../shared/format/size';
import { pushVariants } from '../../services/delivery/push';
import { connectEngine } from '../../services/docker/engine';
import type { CliCommand } from '../command';

/** `condense push`: the latest build's variants to a registry, with Docker's own credentials. */
export const pushCommand: CliCommand = {
  usage: 'push --registry R [--variant V]... [--insecure] [--context NAME] [--json]',
  options: {
    registry: { type: 'string' },
    variant: { type: 'string', multiple: true },
    insecure: { type: 'boolean' },
    context: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(context, values) {
    if (typeof values.registry !== 'string') {
      context.progress(
        'condense push: name the registry, e.g. condense push --registry ghcr.io/my-org',
      );
      return 2;
    }
    // The contract's schema, as the app's door applies it: refused by field before the engine is asked.
    const request = validate('delivery:push', {
      projectDir: context.projectDir,
      registry: values.registry,
      ...(Array.isArray(values.variant) ? { variants: values.variant as string[] } : {}),
      ...(values.insecure ? { insecure: true } : {}),
    });
    const contextName = typeof values.context === 'string' ? values.context : undefined;
    const engine = connectEngine(contextName ? { context: contextName } : {});
    // One line per layer state change, not per progress tick.
    const seen = new Map<string, string>();
    const pushed = await pushVariants({
      engine,
      ...request,
      signal: context.signal,
      onProgress: (event) => {
        const key = `${event.tag} ${event.layer ?? ''}`;
        if (seen.get(key) === event.status) return;
        seen.set(key, event.status);
        const size = event.total ? ` (${formatSize(event.total, { asciiMinus: true })})` : '';
        context.progress(
          `${event.tag}${event.layer ? ` ${event.layer}` : ''}: ${event.status}${size}`,
        );
      },
    });
    if (values.json) context.out(JSON.stringify(pushed, null, 2));
    else for (const p of pushed) context.out(`${p.tag}@${p.digest}`);
    return 0;
  },
};
