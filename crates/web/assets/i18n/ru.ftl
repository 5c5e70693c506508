# Текст интерфейса aidtrace, русский.
nav-dashboard = Сводка
nav-activities = Проекты
nav-facilities = Учреждения
nav-map = Карта
nav-organisations = Организации
nav-quality = Качество данных
nav-changes = Изменения
nav-import = Импорт
nav-assets = Оборудование
nav-energy = Энергетика
nav-intake = Входящие
nav-api = API
sign-in = Войти
sign-out = Выйти
public-view = Открытый просмотр: только утверждённые данные
footer = Пересчёт по курсам Международного валютного фонда, если не указано иное. Источник: Международный валютный фонд.
title-dashboard = Сводка
title-activities = Проекты
title-facilities = Учреждения
title-map = Карта учреждений
title-organisations = Организации
title-quality = Качество данных
title-import = Импорт
title-changes = Изменения
title-sign-in = Вход
card-activities =
    { $count ->
        [one] проект
        [few] проекта
       *[other] проектов
    }
card-flows =
    { $count ->
        [one] платёж
        [few] платежа
       *[other] платежей
    }
card-facilities =
    { $count ->
        [one] учреждение
        [few] учреждения
       *[other] учреждений
    }
card-organisations =
    { $count ->
        [one] организация
        [few] организации
       *[other] организаций
    }
card-problems =
    { $count ->
        [one] проблема качества данных
        [few] проблемы качества данных
       *[other] проблем качества данных
    }
chart-by-donor = Потоки по донорам и видам (USD по курсам МВФ)
chart-by-year = Пересчитанные потоки по годам и видам (USD по курсам МВФ)
by-donor = По донорам
by-recipient = По получателям
by-region = По регионам
by-sector = По отраслям
by-year = По годам
export = Выгрузка
search = Поиск
filter = Отобрать
any = любой
status = Статус
instrument = Инструмент
flows = Потоки средств
equipment = Оборудование
sources = Источники
findings = Замечания
history = История изменений
language = Язык
