/** A first-come, first-served async lock. PGlite has a single connection; every user queues here. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;

  /** Resolves with a release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    this.#waiting += 1;
    return ready.then((releaseFn) => {
      this.#waiting -= 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        releaseFn();
      };
    });
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  get waiting(): number {
    return this.#waiting;
  }
}
