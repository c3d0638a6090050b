"""The task a model performs, told from its transformers architecture class when nothing says it outright."""

from __future__ import annotations

# Heads that perform one task only (the Hub infers a model's pipeline the same way when its card names
# none); ForConditionalGeneration and other multi-task heads are left open rather than guessed.
HEAD_TASKS = {
    "ForCausalLM": "text-generation",
    "ForMaskedLM": "fill-mask",
    "ForSequenceClassification": "text-classification",
    "ForTokenClassification": "token-classification",
    "ForQuestionAnswering": "question-answering",
    "ForImageClassification": "image-classification",
    "ForSpeechSeq2Seq": "automatic-speech-recognition",
}


def task_of(architecture: str | None) -> str | None:
    """The pipeline task of a `config.json` architecture (`LlamaForCausalLM` -> `text-generation`), or None."""
    for suffix, task in HEAD_TASKS.items():
        if architecture and architecture.endswith(suffix):
            return task
    return None
