import { ImageBehaviour } from '../scenario.ts';
import { interpret } from './container-command.ts';

/**
 * The sandbox's registry: scenario images run as their scenario says; any other image pulls and
 * runs a stand-in that does what its command says, or idles as a server would. A tag the registry
 * lacks of a repository a scenario defines (`checkout-web:2.4.O` beside `checkout-web:2.4.0`) is
 * a pull that fails, as a typo in a tag is on a real registry.
 */
export type Run = {
  behaviour: ImageBehaviour;
  /** How it ends by itself (OOM kills aside): after `after` seconds with `exitCode`. */
  end: { after: number; exitCode: number } | undefined;
};

export type RunContainer = { image: string; command?: string[]; args?: string[] };

export class ImageRegistry {
  readonly #images = new Map<string, ImageBehaviour>();
  readonly #repositories = new Set<string>();

  add(images: Record<string, ImageBehaviour>): void {
    for (const [image, behaviour] of Object.entries(images)) {
      this.#images.set(image, behaviour);
      this.#repositories.add(repository(image));
    }
  }

  /** What the container runs, or undefined when its image cannot be pulled. */
  run(container: RunContainer): Run | undefined {
    const behaviour = this.#images.get(container.image);
    if (behaviour !== undefined) {
      const end =
        behaviour.exitCode === 0 && !behaviour.completes
          ? undefined
          : { after: behaviour.crashAfter, exitCode: behaviour.exitCode };
      return { behaviour, end };
    }
    if (this.#repositories.has(repository(container.image))) return undefined;
    return standIn(container);
  }
}

/** The stand-in for an image no scenario defines; its log says so when its command does not. */
function standIn(container: RunContainer): Run {
  const script = interpret(container.command, container.args);
  const logs = script.understood
    ? script.output
    : [
        `coxswain sandbox: stand-in for image "${container.image}" (no scenario defines it); it runs idle and stays ready`,
        ...script.output,
      ];
  const behaviour = ImageBehaviour.parse({ memory: '8Mi', cpu: '1m', logs });
  const end =
    script.seconds === undefined
      ? undefined
      : { after: Math.max(script.seconds, 1), exitCode: script.exitCode };
  return { behaviour, end };
}

/** `ghcr.io/example/app` for `ghcr.io/example/app:1.0` or `…@sha256:…`; a port is not a tag. */
function repository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}
