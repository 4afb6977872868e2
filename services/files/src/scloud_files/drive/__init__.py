"""The files use cases, one class per use case, each built with only the ports and settings it
uses; `use_cases.build_drive` puts them together. They see the domain and the ports only."""
