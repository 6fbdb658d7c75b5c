"""Words in sentences."""


def lowercase_first(label: str) -> str:
    """A label inside a sentence: its first letter lowered, the rest as written ("the SRO's", not "the sro's")."""
    return label[:1].lower() + label[1:]
