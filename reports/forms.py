from django import forms

from agencies.models import Agency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file is one bad file of the pile: the batch reports it by name and goes on with the others.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="年报文件",
        help_text="可一次选择多个文件，或上传一个 zip 压缩包。支持 Word（.docx/.doc/.wps）、PDF、网页（.html）、"
        "Excel（.xlsx/.xls）、文本（.txt），以及扫描件（图片型 PDF、.jpg/.png/.tif 图片，自动文字识别）。",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class AgencyKindField(forms.ChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=Agency.Kind.choices, **kwargs)
