"""Audio inputs (voice notes): transcribed before grouping into transcript inputs with timed segments.

    sniffing    a first look at an audio file without a decoder: empty, not audio, broken WAV, silent WAV
    transcript  the transcript input and its .vtt of segments, as text, written atomically
    backends    the Transcriber interface, TranscriptionUnavailable, and choosing one from the config
    local       faster-whisper on the CPU (the optional `audio` extra), decoding in chunks with PyAV
    remote      any OpenAI-compatible /v1/audio/transcriptions endpoint through the openai SDK

Which files are audio, and the names of what is written beside them, is inputs/audio_names.py; the
run's step before grouping (transcribe the inbox's audio, move audio with its transcript) is
pipeline/transcription.py. Nothing here is imported on the check path; faster-whisper, PyAV and
numpy load only in `local`.
"""
