import { QRCodeSVG } from "qrcode.react";

/** The link as a QR code, for a phone's camera; medium error correction survives a smudged screen. */
export default function LinkQrCode({ url }: { url: string }) {
  return (
    <figure className="flex flex-col items-center gap-1">
      <div className="rounded-md bg-white p-3">
        <QRCodeSVG value={url} size={160} level="M" role="img" aria-label="QR code of the link" />
      </div>
      <figcaption className="text-xs text-slate-600 dark:text-slate-400">Scan to open the link on a phone.</figcaption>
    </figure>
  );
}
