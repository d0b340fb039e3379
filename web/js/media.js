/*
 * media.js — the local camera and microphone: getUserMedia, mute, camera on
 * and off, switching between front and rear camera, and choosing devices.
 * Each kind is had on its own: a refused or missing camera leaves the
 * microphone working, and no device at all still lets the person watch.
 *
 * Mute disables the audio track (the publish PeerConnection keeps sending
 * silence, nothing is renegotiated). Turning the camera off stops the track,
 * so the camera light goes out; turning it on and switching camera get a new
 * track that onVideoTrack hands to the publish PeerConnection, which swaps it
 * in with replaceTrack — again without renegotiation.
 */

const VIDEO = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};
const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/* Maps a getUserMedia failure to an error key of i18n.js ('media-…'). */
export function mediaErrorCode(err) {
  switch (err?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'media-denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'media-notfound';
    case 'NotReadableError':
    case 'AbortError':
      return 'media-busy';
    case 'TypeError':
      return navigator.mediaDevices ? 'media' : 'media-insecure';
    default:
      return 'media';
  }
}

export class LocalMedia {
  constructor() {
    this.audioTrack = null;
    this.videoTrack = null;
    this.stream = new MediaStream(); /* what the self-view shows */
    this.micMuted = false;
    this.cameraOn = false;
    this.cameraCount = 0;
    this.errors = { audio: null, video: null }; /* why a kind is missing, from start() */
    this.deviceId = null; /* the camera in use, kept while it is off */
    this.facingMode = 'user';
    this.onVideoTrack = () => {}; /* (track or null) → promise */
    this.onChange = () => {};
  }

  get hasAudio() {
    return !!this.audioTrack;
  }

  get hasVideo() {
    return !!this.videoTrack;
  }

  /* Whether the self-view should be mirrored: yes for a front camera (or a
   * desktop camera, which reports no facing mode), never for a rear one. */
  get mirrored() {
    return this.facingMode !== 'environment';
  }

  /* Asks for microphone and camera. If both together fail (a refused or
   * missing camera), each is asked for alone, so a refused camera does not
   * cost a working microphone: a hospital desktop without a camera joins
   * with sound, one with neither joins to watch and listen. `errors` keeps
   * why each kind is missing (the getUserMedia error, or null). Throws only
   * when the browser has no getUserMedia at all. devices: { audio, video }
   * device ids to ask for (the pickers of the pre-call check). With
   * { video: false } only the microphone is asked for (an attendee of a
   * group teaching given the floor without video). */
  async start(devices = {}, { video: wantVideo = true } = {}) {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new TypeError('navigator.mediaDevices is not available');
    }
    const audio = devices.audio ? { ...AUDIO, deviceId: { exact: devices.audio } } : AUDIO;
    const video = devices.video ? { ...VIDEO, deviceId: { exact: devices.video } } : { ...VIDEO, facingMode: 'user' };
    this.errors = { audio: null, video: null };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(wantVideo ? { audio, video } : { audio });
    } catch {
      const tracks = [];
      for (const [kind, c] of [['audio', { audio }], ['video', { video }]].slice(0, wantVideo ? 2 : 1)) {
        try {
          tracks.push(...(await navigator.mediaDevices.getUserMedia(c)).getTracks());
        } catch (err) {
          this.errors[kind] = err; /* refused or missing: go on with the other */
        }
      }
      stream = new MediaStream(tracks);
    }
    this.audioTrack = stream.getAudioTracks()[0] ?? null;
    this.setVideoTrack(stream.getVideoTracks()[0] ?? null);
    if (this.audioTrack) this.stream.addTrack(this.audioTrack);
    await this.countCameras();
    this.onChange();
  }

  /* The devices of each kind, for the pickers: { audioinput, videoinput,
   * audiooutput } → [{ deviceId, label }]. Labels are empty until a
   * permission was given; the caller numbers those. */
  static async devices() {
    const out = { audioinput: [], videoinput: [], audiooutput: [] };
    try {
      for (const d of await navigator.mediaDevices.enumerateDevices()) {
        if (out[d.kind] && d.deviceId && d.deviceId !== 'default' && d.deviceId !== 'communications')
          out[d.kind].push({ deviceId: d.deviceId, label: d.label });
      }
    } catch {
      /* no list: no pickers */
    }
    return out;
  }

  /* The device id of the track of kind 'audio' or 'video' now in use. */
  deviceOf(kind) {
    const tr = kind === 'audio' ? this.audioTrack : this.videoTrack;
    return tr?.getSettings?.().deviceId ?? null;
  }

  /* Moves to another microphone or camera (before the call: the pre-call
   * check's pickers). The old track stops first, as some devices give out
   * one stream at a time. Throws the getUserMedia error; the old device is
   * then gone and the kind has no track. */
  async useDevice(kind, deviceId) {
    if (kind === 'audio') {
      this.audioTrack?.stop();
      if (this.audioTrack) this.stream.removeTrack(this.audioTrack);
      this.audioTrack = null;
      const s = await navigator.mediaDevices.getUserMedia({ audio: { ...AUDIO, deviceId: { exact: deviceId } } });
      this.audioTrack = s.getAudioTracks()[0] ?? null;
      if (this.audioTrack) {
        this.audioTrack.enabled = !this.micMuted;
        this.stream.addTrack(this.audioTrack);
      }
      this.errors = { ...this.errors, audio: null };
    } else {
      const old = this.videoTrack;
      old?.stop();
      this.setVideoTrack(null);
      const s = await navigator.mediaDevices.getUserMedia({ video: { ...VIDEO, deviceId: { exact: deviceId } } });
      this.setVideoTrack(s.getVideoTracks()[0] ?? null);
      this.errors = { ...this.errors, video: null };
    }
    this.onChange();
  }

  setVideoTrack(track) {
    if (this.videoTrack) this.stream.removeTrack(this.videoTrack);
    this.videoTrack = track;
    this.cameraOn = !!track;
    if (track) {
      this.stream.addTrack(track);
      const s = track.getSettings();
      this.deviceId = s.deviceId ?? this.deviceId;
      this.facingMode = s.facingMode || 'user';
    }
  }

  async countCameras() {
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      this.cameraCount = devices.filter((d) => d.kind === 'videoinput').length;
    } catch {
      this.cameraCount = this.videoTrack ? 1 : 0;
    }
  }

  setMicMuted(muted) {
    this.micMuted = muted;
    if (this.audioTrack) this.audioTrack.enabled = !muted;
    this.onChange();
  }

  /* Turns the camera off (stopping the track) or on (a new track from the
   * same device). Throws when the camera cannot be started again. */
  async setCameraOn(on) {
    if (on === this.cameraOn) return;
    if (!on) {
      const old = this.videoTrack;
      this.setVideoTrack(null);
      this.onChange(); /* say it at once; the sender lets go of the track after */
      await this.onVideoTrack(null);
      old?.stop();
      this.onChange();
      return;
    }
    const video = { ...VIDEO };
    if (this.deviceId) video.deviceId = { exact: this.deviceId };
    else video.facingMode = this.facingMode;
    const stream = await navigator.mediaDevices.getUserMedia({ video });
    this.setVideoTrack(stream.getVideoTracks()[0]);
    await this.onVideoTrack(this.videoTrack);
    this.onChange();
  }

  /* Moves to the next camera: the other facing mode on a phone or tablet,
   * the next device elsewhere. The old track is stopped first, as iOS gives
   * out only one camera at a time. */
  async switchCamera() {
    if (!this.cameraOn || this.cameraCount < 2) return;
    const old = this.videoTrack;
    const oldSettings = old.getSettings();
    old.stop();
    let track = null;
    try {
      if (oldSettings.facingMode) {
        const want = oldSettings.facingMode === 'environment' ? 'user' : 'environment';
        try {
          const s = await navigator.mediaDevices.getUserMedia({
            video: { ...VIDEO, facingMode: { exact: want } },
          });
          track = s.getVideoTracks()[0];
        } catch {
          /* fall back to cycling through devices */
        }
      }
      if (!track) {
        const cams = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
        const i = cams.findIndex((d) => d.deviceId === oldSettings.deviceId);
        const next = cams[(i + 1) % cams.length];
        const s = await navigator.mediaDevices.getUserMedia({
          video: { ...VIDEO, deviceId: { exact: next.deviceId } },
        });
        track = s.getVideoTracks()[0];
      }
    } catch (err) {
      /* Get the old camera back rather than leave the picture dark. */
      const s = await navigator.mediaDevices.getUserMedia({
        video: { ...VIDEO, deviceId: { exact: oldSettings.deviceId } },
      });
      track = s.getVideoTracks()[0];
      this.setVideoTrack(track);
      await this.onVideoTrack(track);
      this.onChange();
      throw err;
    }
    this.setVideoTrack(track);
    await this.onVideoTrack(track);
    this.onChange();
  }

  /* Stops every track: the camera light goes out. Safe twice. */
  stop() {
    for (const tr of [this.audioTrack, this.videoTrack]) tr?.stop();
    this.audioTrack = null;
    this.videoTrack = null;
    this.stream = new MediaStream();
    this.cameraOn = false;
  }
}
