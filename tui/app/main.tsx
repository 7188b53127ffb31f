// Placeholder: the TUI is being built.
export async function startTui(_options: { packs: string[] }): Promise<number> {
  process.stdout.write('The TUI is being built; use npx kubelings list / check for now.\n');
  return 0;
}
