"""A procedure's application form: a JSON Schema (draft 2020-12) plus UI hints.

The schema says what data the form accepts; the UI hints say how to show it: field ``order``,
and per field a ``widget``, an English label, help texts, and where the value can be
prefilled from (``prefill``: a key of :data:`PREFILL_SOURCES`). Both are checked when a
procedure is saved (:func:`form_problems`) so that an applicant never meets a broken form,
and applicants' answers are checked against the schema with a message per field
(:func:`form_errors`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class PrefillSource:
    """A value the State already holds about the applicant, and the exchange service that has it.

    ``service`` names the exchange provider (``congso.exchange.registry_adapters``) and
    ``path`` the dotted path of the value in its answer: the dossiers domain asks the exchange
    for it, with the applicant's consent, when it prefills a form.
    """

    key: str
    label_vi: str
    label_en: str
    service: str
    path: str


_SOURCES = (
    PrefillSource(
        "population.personal_id",
        "Số định danh cá nhân",
        "Personal ID number",
        "registry.citizen",
        "personal_id",
    ),
    PrefillSource("population.full_name", "Họ, chữ đệm và tên", "Full name", "registry.citizen", "full_name"),
    PrefillSource(
        "population.date_of_birth",
        "Ngày, tháng, năm sinh",
        "Date of birth",
        "registry.citizen",
        "date_of_birth",
    ),
    PrefillSource("population.sex", "Giới tính", "Sex", "registry.citizen", "sex"),
    PrefillSource("population.ethnicity", "Dân tộc", "Ethnic group", "registry.citizen", "ethnicity_label"),
    PrefillSource("population.nationality", "Quốc tịch", "Nationality", "registry.citizen", "nationality"),
    PrefillSource(
        "population.place_of_origin", "Quê quán", "Place of origin", "registry.citizen", "place_of_origin"
    ),
    PrefillSource(
        "population.permanent_address",
        "Nơi thường trú",
        "Permanent address",
        "registry.citizen",
        "permanent_residence.address",
    ),
    PrefillSource(
        "population.permanent_commune_code",
        "Mã xã, phường nơi thường trú",
        "Commune code of the permanent address",
        "registry.citizen",
        "permanent_residence.commune_code",
    ),
    PrefillSource(
        "population.temporary_address",
        "Nơi tạm trú",
        "Temporary address",
        "registry.residence",
        "temporary.address",
    ),
    PrefillSource(
        "population.household_code", "Mã hộ gia đình", "Household code", "registry.household", "code"
    ),
    PrefillSource(
        "population.household_head_name",
        "Họ tên chủ hộ",
        "Name of the head of household",
        "registry.household",
        "head.full_name",
    ),
    PrefillSource(
        "driver_licences.number",
        "Số giấy phép lái xe",
        "Driving licence number",
        "registry.driver-licence",
        "licences.0.number",
    ),
    PrefillSource(
        "driver_licences.classes",
        "Hạng giấy phép lái xe",
        "Driving licence classes",
        "registry.driver-licence",
        "licences.0.classes",
    ),
    PrefillSource(
        "driver_licences.expiry_date",
        "Ngày hết hạn giấy phép lái xe",
        "Driving licence expiry date",
        "registry.driver-licence",
        "licences.0.expiry_date",
    ),
    PrefillSource(
        "health_insurance.number",
        "Mã số thẻ bảo hiểm y tế",
        "Health-insurance card number",
        "registry.health-insurance",
        "number",
    ),
    PrefillSource(
        "health_insurance.primary_care_facility_name",
        "Nơi đăng ký khám chữa bệnh ban đầu",
        "Primary care facility",
        "registry.health-insurance",
        "primary_care_facility_name",
    ),
    PrefillSource("account.phone", "Số điện thoại", "Phone number", "identity.account", "phone"),
    PrefillSource("account.email", "Thư điện tử", "E-mail address", "identity.account", "email"),
)
PREFILL_SOURCES: dict[str, PrefillSource] = {source.key: source for source in _SOURCES}

WIDGETS: tuple[str, ...] = (
    "text",
    "textarea",
    "date",
    "select",
    "radio",
    "checkbox",
    "number",
    "email",
    "tel",
)
_CHOICE_WIDGETS = ("select", "radio")
_UI_KEYS = ("order", "fields")
_UI_FIELD_TEXT_KEYS = ("label_en", "help", "help_en")
_UI_FIELD_KEYS = ("widget", "prefill", "readonly", *_UI_FIELD_TEXT_KEYS)


@dataclass(frozen=True)
class Problem:
    """Something wrong with a form definition, at ``path`` (e.g. ``ui.fields.full_name.prefill``)."""

    path: str
    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.message_vi} ({self.message_en})"


def _external_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str) and not value.startswith("#"):
                yield value
            else:
                yield from _external_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _external_refs(item)


def _schema_problems(schema: Any) -> list[Problem]:
    if not isinstance(schema, dict):
        return [
            Problem(
                "schema",
                "Lược đồ biểu mẫu phải là một đối tượng JSON",
                "The form schema must be a JSON object",
            )
        ]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = ".".join(str(part) for part in error.absolute_path)
        return [
            Problem(
                f"schema.{where}" if where else "schema",
                f"Lược đồ JSON Schema không hợp lệ: {error.message}",
                f"Not a valid JSON Schema (draft 2020-12): {error.message}",
            )
        ]
    problems: list[Problem] = []
    dialect = schema.get("$schema")
    if dialect is not None and dialect != SCHEMA_DIALECT:
        problems.append(
            Problem(
                "schema.$schema",
                f"Chỉ hỗ trợ JSON Schema bản 2020-12 ({SCHEMA_DIALECT})",
                f"Only JSON Schema draft 2020-12 is supported ({SCHEMA_DIALECT})",
            )
        )
    # Forms are flat records of named answers; anything else cannot be laid out as a form.
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        problems.append(
            Problem(
                "schema",
                'Lược đồ biểu mẫu phải có "type": "object" và "properties"',
                'The form schema must have "type": "object" and "properties"',
            )
        )
        return problems
    properties = schema["properties"]
    problems.extend(
        Problem(
            "schema.required",
            f"Trường bắt buộc '{name}' không có trong properties",
            f"Required field '{name}' is not among the properties",
        )
        for name in schema.get("required", [])
        if name not in properties
    )
    # A schema that points outside itself would make the server fetch it, or fail when used.
    problems.extend(
        Problem(
            "schema",
            f"Không được tham chiếu lược đồ bên ngoài ({ref})",
            f"References to outside schemas are not allowed ({ref})",
        )
        for ref in _external_refs(schema)
    )
    return problems


def _field_hint_problems(name: str, hint: Any, prop: Any) -> list[Problem]:
    base = f"ui.fields.{name}"
    if not isinstance(hint, dict):
        return [
            Problem(
                base,
                "Gợi ý hiển thị của trường phải là một đối tượng",
                "A field's UI hints must be an object",
            )
        ]
    problems = [
        Problem(
            f"{base}.{key}",
            f"Khóa không được hỗ trợ; dùng một trong: {', '.join(_UI_FIELD_KEYS)}",
            f"Unsupported key; use one of: {', '.join(_UI_FIELD_KEYS)}",
        )
        for key in hint
        if key not in _UI_FIELD_KEYS
    ]
    widget = hint.get("widget")
    if widget is not None:
        if widget not in WIDGETS:
            problems.append(
                Problem(
                    f"{base}.widget",
                    f"Kiểu nhập '{widget}' không được hỗ trợ; dùng một trong: {', '.join(WIDGETS)}",
                    f"Unknown widget '{widget}'; use one of: {', '.join(WIDGETS)}",
                )
            )
        elif widget in _CHOICE_WIDGETS and not (
            isinstance(prop, dict) and ("enum" in prop or "oneOf" in prop)
        ):
            problems.append(
                Problem(
                    f"{base}.widget",
                    f"Kiểu nhập '{widget}' cần danh sách lựa chọn (enum hoặc oneOf) trong lược đồ",
                    f"The '{widget}' widget needs a list of choices (enum or oneOf) in the schema",
                )
            )
    prefill = hint.get("prefill")
    if prefill is not None and prefill not in PREFILL_SOURCES:
        problems.append(
            Problem(
                f"{base}.prefill",
                f"Nguồn điền sẵn '{prefill}' không có trong danh mục; dùng một trong: {', '.join(PREFILL_SOURCES)}",
                f"Unknown prefill source '{prefill}'; use one of: {', '.join(PREFILL_SOURCES)}",
            )
        )
    if "readonly" in hint and not isinstance(hint["readonly"], bool):
        problems.append(Problem(f"{base}.readonly", "Phải là true hoặc false", "Must be true or false"))
    problems.extend(
        Problem(f"{base}.{key}", "Phải là một chuỗi ký tự", "Must be a string")
        for key in _UI_FIELD_TEXT_KEYS
        if key in hint and not isinstance(hint[key], str)
    )
    return problems


def _ui_problems(ui: Any, properties: Mapping[str, Any]) -> list[Problem]:
    if not isinstance(ui, dict):
        return [
            Problem("ui", "Gợi ý hiển thị phải là một đối tượng JSON", "The UI hints must be a JSON object")
        ]
    problems = [
        Problem(
            f"ui.{key}",
            f"Khóa không được hỗ trợ; dùng một trong: {', '.join(_UI_KEYS)}",
            f"Unsupported key; use one of: {', '.join(_UI_KEYS)}",
        )
        for key in ui
        if key not in _UI_KEYS
    ]
    order = ui.get("order", [])
    if not isinstance(order, list) or not all(isinstance(name, str) for name in order):
        problems.append(Problem("ui.order", "Phải là danh sách tên trường", "Must be a list of field names"))
    else:
        problems.extend(
            Problem(
                "ui.order", f"Trường '{name}' không có trong lược đồ", f"Field '{name}' is not in the schema"
            )
            for name in order
            if name not in properties
        )
        if len(set(order)) != len(order):
            problems.append(Problem("ui.order", "Có trường bị lặp lại", "A field is listed twice"))
    fields = ui.get("fields", {})
    if not isinstance(fields, dict):
        problems.append(Problem("ui.fields", "Phải là một đối tượng JSON", "Must be a JSON object"))
        return problems
    for name, hint in fields.items():
        if name not in properties:
            problems.append(
                Problem(
                    f"ui.fields.{name}",
                    f"Trường '{name}' không có trong lược đồ",
                    f"Field '{name}' is not in the schema",
                )
            )
            continue
        problems.extend(_field_hint_problems(name, hint, properties[name]))
    return problems


def form_problems(schema: Any, ui: Any) -> list[Problem]:
    """Everything wrong with a form definition; empty when it can be published."""
    problems = _schema_problems(schema)
    if problems:
        return problems
    return _ui_problems(ui if ui is not None else {}, schema["properties"])


# --- Checking an applicant's answers --------------------------------------------------------------
@dataclass(frozen=True)
class FieldError:
    """Why one answer of a form is refused, in Vietnamese and English."""

    message_vi: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_vi} ({self.message_en})"

    def as_dict(self) -> dict[str, str]:
        return {"message": self.message, "message_vi": self.message_vi, "message_en": self.message_en}


_TYPE_NAMES = {
    "string": ("chuỗi ký tự", "text"),
    "integer": ("số nguyên", "a whole number"),
    "number": ("số", "a number"),
    "boolean": ("có hoặc không", "yes or no"),
    "object": ("nhóm thông tin", "a group of answers"),
    "array": ("danh sách", "a list"),
    "null": ("để trống", "empty"),
}
_FORMAT_NAMES = {
    "date": ("một ngày hợp lệ (năm-tháng-ngày)", "a valid date (YYYY-MM-DD)"),
    "email": ("một địa chỉ thư điện tử", "an e-mail address"),
    "date-time": ("một thời điểm hợp lệ", "a valid date and time"),
}
# Which error of a field to show when it has several: the one that says what to do first.
_PRIORITY = {"required": 0, "type": 1, "minLength": 2, "format": 3, "enum": 4, "const": 4}
ROOT = "__all__"


def _titles(name: str, schema: Mapping[str, Any], ui: Mapping[str, Any]) -> tuple[str, str]:
    prop = schema.get("properties", {}).get(name)
    hint = ui.get("fields", {}).get(name) if isinstance(ui.get("fields"), dict) else None
    title_vi = prop.get("title") if isinstance(prop, dict) else None
    title_en = hint.get("label_en") if isinstance(hint, dict) else None
    return str(title_vi or name), str(title_en or title_vi or name)


def _inline(title: str) -> str:
    """A title to use inside a sentence: "Ngày sinh" → "ngày sinh", but "CCCD" stays."""
    return title[0].lower() + title[1:] if len(title) > 1 and title[1].islower() else title


def _values(values: Any) -> str:
    return ", ".join(str(value) for value in values)


def error_message(error: ValidationError, vi: str, en: str) -> FieldError:
    """A message an applicant can act on for one schema error about the field titled vi/en."""
    kind, value = error.validator, error.validator_value
    if kind == "required" or (kind == "minLength" and value == 1):
        return FieldError(f"Chưa nhập {_inline(vi)}", f"{en} is required")
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        names = [_TYPE_NAMES.get(str(item), (str(item), str(item))) for item in types]
        return FieldError(
            f"{vi} phải là {' hoặc '.join(name[0] for name in names)}",
            f"{en} must be {' or '.join(name[1] for name in names)}",
        )
    if kind == "minLength":
        return FieldError(
            f"{vi} phải có ít nhất {value} ký tự", f"{en} must have at least {value} characters"
        )
    if kind == "maxLength":
        return FieldError(
            f"{vi} không được dài quá {value} ký tự", f"{en} must have at most {value} characters"
        )
    if kind == "pattern":
        return FieldError(f"{vi} không đúng định dạng", f"{en} is not in the expected format")
    if kind == "format":
        name_vi, name_en = _FORMAT_NAMES.get(str(value), (f"định dạng {value}", f"in the {value} format"))
        return FieldError(f"{vi} phải là {name_vi}", f"{en} must be {name_en}")
    if kind == "enum":
        return FieldError(
            f"{vi} phải là một trong các giá trị: {_values(value)}", f"{en} must be one of: {_values(value)}"
        )
    if kind == "const":
        if value is True:
            return FieldError(f"Bạn cần xác nhận: {vi}", f"You need to confirm: {en}")
        return FieldError(f"{vi} phải là {value}", f"{en} must be {value}")
    if kind in ("minimum", "exclusiveMinimum"):
        word_vi, word_en = (
            ("lớn hơn hoặc bằng", "at least") if kind == "minimum" else ("lớn hơn", "more than")
        )
        return FieldError(f"{vi} phải {word_vi} {value}", f"{en} must be {word_en} {value}")
    if kind in ("maximum", "exclusiveMaximum"):
        word_vi, word_en = ("nhỏ hơn hoặc bằng", "at most") if kind == "maximum" else ("nhỏ hơn", "less than")
        return FieldError(f"{vi} phải {word_vi} {value}", f"{en} must be {word_en} {value}")
    if kind == "minItems":
        return FieldError(f"{vi}: chọn ít nhất {value} mục", f"{en}: choose at least {value} items")
    if kind == "maxItems":
        return FieldError(f"{vi}: chọn nhiều nhất {value} mục", f"{en}: choose at most {value} items")
    return FieldError(f"{vi} không hợp lệ", f"{en} is not valid ({error.message})")


def _located(error: ValidationError, schema: Mapping[str, Any]) -> list[tuple[str, ValidationError]]:
    """The field(s) an error is about: the missing or unexpected names sit one level down."""
    where = [str(part) for part in error.absolute_path]
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in instance]
        return [(".".join([*where, name]), error) for name in missing]
    if error.validator == "additionalProperties" and not where:
        known = schema.get("properties", {})
        return [(name, error) for name in instance if name not in known]
    return [(".".join(where) or ROOT, error)]


def form_errors(schema: Mapping[str, Any], ui: Mapping[str, Any], data: Any) -> dict[str, FieldError]:
    """One message per field that the answers get wrong; empty when ``data`` is acceptable.

    Keys are field names (dotted for nested answers) and ``"__all__"`` for the form as a whole.
    """
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    located = [pair for error in validator.iter_errors(data) for pair in _located(error, schema)]
    located.sort(key=lambda pair: (pair[0], _PRIORITY.get(str(pair[1].validator), 9)))
    errors: dict[str, FieldError] = {}
    for field, error in located:
        if field in errors:
            continue
        top = field.split(".")[0]
        if error.validator == "additionalProperties" and field != ROOT:
            errors[field] = FieldError(
                f"Trường '{field}' không có trong biểu mẫu", f"'{field}' is not a field of this form"
            )
            continue
        if field == ROOT:
            errors[field] = error_message(error, "Biểu mẫu", "The form")
            continue
        vi, en = _titles(top, schema, ui)
        prop = schema.get("properties", {}).get(top)
        if error.validator == "required" and isinstance(prop, dict) and prop.get("const") is True:
            # An unticked declaration box: asking to "enter" it would make no sense.
            errors[field] = FieldError(f"Bạn cần xác nhận: {vi}", f"You need to confirm: {en}")
            continue
        errors[field] = error_message(error, vi, en)
    return errors
