/**
 * Image references and the built-in images: references normalised as
 * github.com/distribution/reference does (normalize.go: docker.io and library/ added, :latest
 * when neither tag nor digest; the "must be lowercase" message), every tag, digest and registry
 * of a built-in name resolving to it, and ImageService answering as containerd does (ImageStatus
 * nil for an unknown image; PullImage of one failing with a "not found" that names ours).
 */
import { describe, expect, test } from 'vitest';
import { BuiltinImageService } from '#engine/cri/images.ts';
import { BUILTIN_IMAGES, builtinFor, imageId, lookupImage } from '#engine/images/catalog.ts';
import { parseImageReference } from '#engine/images/reference.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('image references', () => {
  test.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['docker.io/library/nginx:latest', 'docker.io/library/nginx:latest'],
    ['index.docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['kubelings/echo', 'docker.io/kubelings/echo:latest'],
    [`busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`],
    [`busybox:1.36@${DIGEST}`, `docker.io/library/busybox:1.36@${DIGEST}`],
    ['localhost:5000/team/app:v1', 'localhost:5000/team/app:v1'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
  ])('%s is %s', (reference, canonical) => {
    expect(parseImageReference(reference).canonical).toBe(canonical);
  });

  test.each([
    ['Nginx', 'invalid reference format: repository name (library/Nginx) must be lowercase'],
    ['nginx:', 'invalid reference format'],
    ['nginx@sha256:abc', 'invalid reference format'],
    ['', 'invalid reference format'],
    ['ngi nx', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
  ])('%j is refused: %s', (reference, message) => {
    expect(() => parseImageReference(reference)).toThrow(message);
  });
});

describe('the built-in images', () => {
  test('any tag, digest or registry of a built-in name is that image; other names are none', () => {
    const name = (ref: string) => builtinFor(parseImageReference(ref))?.name;
    expect(name('nginx:1.27')).toBe('nginx');
    expect(name('docker.io/library/nginx:latest')).toBe('nginx');
    expect(name('mirror.gcr.io/library/nginx')).toBe('nginx');
    expect(name(`busybox@${DIGEST}`)).toBe('busybox');
    expect(name('kubelings/kv:2')).toBe('kubelings/kv');
    expect(name('nginxinc/nginx-unprivileged')).toBeUndefined();
    expect(name('library/redis')).toBeUndefined();
    expect(lookupImage(imageId(BUILTIN_IMAGES[1]!))?.name).toBe('nginx');
  });

  test('ImageStatus shows a built-in image under its canonical tag and null for others; PullImage adds the tag pulled', async () => {
    const images = new BuiltinImageService();
    const nginx = await images.imageStatus({ image: { image: 'nginx:1.27' } });
    expect(nginx.image).toMatchObject({ repoTags: ['docker.io/library/nginx:latest'], repoDigests: [expect.stringMatching(/^docker\.io\/library\/nginx@sha256:/)], pinned: true });
    expect((await images.imageStatus({ image: { image: 'redis' } })).image).toBeNull();
    const { imageRef } = await images.pullImage({ image: { image: 'nginx:1.27' } });
    expect(imageRef).toBe(nginx.image!.id);
    expect((await images.imageStatus({ image: { image: 'nginx' } })).image!.repoTags).toEqual(['docker.io/library/nginx:1.27', 'docker.io/library/nginx:latest']);
    expect((await images.listImages()).images.map((i) => i.repoTags.at(-1))).toEqual([
      'docker.io/library/busybox:latest',
      'docker.io/library/nginx:latest',
      'docker.io/kubelings/echo:latest',
      'docker.io/kubelings/crash:latest',
      'docker.io/kubelings/kv:latest',
    ]);
  });

  test('pulling an unknown image fails as containerd does for a missing one, then names the built-in images', async () => {
    const images = new BuiltinImageService();
    await expect(images.pullImage({ image: { image: 'redis:7' } })).rejects.toMatchObject({
      code: 'NotFound',
      message:
        'failed to pull and unpack image "docker.io/library/redis:7": failed to resolve reference "docker.io/library/redis:7": docker.io/library/redis:7: not found' +
        ' (kubelings pulls from no registry: its built-in images are busybox, nginx, kubelings/echo, kubelings/crash and kubelings/kv, with any tag, digest or registry name)',
    });
    await expect(images.pullImage({ image: { image: 'Redis' } })).rejects.toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('must be lowercase') });
  });
});
