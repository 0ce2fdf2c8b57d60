"""Reading inputs: every kind the inbox holds (transcripts, messages, photo records, subtitles,
Whisper JSON), their file names, unwrapping, and spotting credentials."""

from notesmith.inputs.reading import Input, list_inputs, read_input

__all__ = ["Input", "list_inputs", "read_input"]
