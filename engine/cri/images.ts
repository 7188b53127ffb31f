/**
 * ImageService over the built-in images (engine/images/catalog.ts): every reference that names a
 * built-in image is present (nothing to download), PullImage of any other fails as containerd
 * fails for a missing image (the kubelet turns it into ErrImagePull, then ImagePullBackOff), and a
 * malformed reference fails as an invalid reference. ListImages shows each image under its
 * canonical tag and every other tag pulled through this service.
 */
import { BUILTIN_IMAGES, builtinFor, imageDigestRef, imageId, imageRepository, lookupImage, pullFailure, type BuiltinImage } from '../images/catalog.ts';
import { parseImageReference, type ImageReference } from '../images/reference.ts';
import type { Image, ImageService, ImageStatusRequest, ImageStatusResponse, ListImagesRequest, ListImagesResponse, PullImageRequest, PullImageResponse } from './api.ts';
import { CriError } from './errors.ts';

/** A size for each image: the programs are shared with the engine, so this is nominal but > 0 as the CRI requires. */
const NOMINAL_SIZE = 4 * 1024 * 1024;

export class BuiltinImageService implements ImageService {
  /** Tags pulled per image name, beyond the canonical `:latest`. */
  private readonly tags = new Map<string, Set<string>>();

  private describe(image: BuiltinImage): Image {
    const tags = new Set([`${imageRepository(image)}:latest`, ...(this.tags.get(image.name) ?? [])]);
    return { id: imageId(image), repoTags: [...tags].sort(), repoDigests: [imageDigestRef(image)], size: NOMINAL_SIZE, uid: { value: 0 }, username: '', spec: { image: imageId(image) }, pinned: true };
  }

  /** The image a reference or ID names, undefined for an unknown one; throws for a malformed reference. */
  resolve(text: string): BuiltinImage | undefined {
    const byId = lookupImage(text);
    if (byId) return byId;
    parseImageReference(text);
    return undefined;
  }

  async listImages(req: ListImagesRequest = {}): Promise<ListImagesResponse> {
    const wanted = req.filter?.image?.image;
    const images = wanted ? BUILTIN_IMAGES.filter((image) => image === lookupImage(wanted)) : BUILTIN_IMAGES;
    return { images: images.map((image) => this.describe(image)) };
  }

  async imageStatus(req: ImageStatusRequest): Promise<ImageStatusResponse> {
    const image = lookupImage(req.image.image);
    const info: Record<string, string> = {};
    if (image && req.verbose) info.info = JSON.stringify({ description: image.description, env: image.env, cmd: image.defaultArgs, stopSignal: image.stopSignal });
    return { image: image ? this.describe(image) : null, info };
  }

  async pullImage(req: PullImageRequest): Promise<PullImageResponse> {
    let reference: ImageReference;
    try {
      reference = parseImageReference(req.image.image);
    } catch (error) {
      throw new CriError('InvalidArgument', `failed to pull and unpack image "${req.image.image}": ${(error as Error).message}`);
    }
    const image = builtinFor(reference);
    if (!image) throw new CriError('NotFound', pullFailure(reference));
    if (reference.tag) {
      const tags = this.tags.get(image.name) ?? new Set<string>();
      tags.add(`${reference.domain}/${reference.path}:${reference.tag}`);
      this.tags.set(image.name, tags);
    }
    return { imageRef: imageId(image) };
  }
}
