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
# Equipment pages (asset_pages.rs)
title-assets = Реестр оборудования
title-asset-indicators = Показатели оборудования
assets-facility = Учреждение
assets-donor = Донор
assets-currency = Валюта
assets-count = единиц
assets-tag = Инвентарный номер
assets-model = Модель
assets-since = С
assets-open-orders = Открытые заявки
assets-money-to-machine = От денег к аппарату
assets-donation-failures = Непройденные проверки пожертвования
assets-responsible = Отвечает за эксплуатацию
assets-om-payer = Оплачивает эксплуатацию
assets-report-down = Сообщить о неисправности
assets-back-in-service = Снова в работе
assets-short-url = Короткая ссылка (для QR-метки)
assets-events = Жизненный цикл
assets-downtime = Простои
assets-work-orders = Заявки на работы
assets-pm-schedule = Плановое обслуживание
assets-from = С
assets-to = По
assets-by = По группам
assets-cause = Причина
assets-note = Примечание
assets-of-facility = Оборудование учреждения (реестр, время работы)
assets-cause-mechanical = Механическая неисправность
assets-cause-electrical = Электрическая неисправность
assets-cause-external-power = Нет электропитания
assets-cause-user-error = Ошибка пользователя
assets-cause-wear = Износ
assets-cause-consumables-out-of-stock = Нет расходных материалов
assets-cause-awaiting-parts = Ожидание запчастей
assets-cause-planned-maintenance = Плановое обслуживание
assets-cause-other = Другое

# Energy: generator allocation plan
title-energy = План распределения генераторов
energy-map = Учреждения по доле покрытой непокрытой критической нагрузки
energy-fleet = Парк
energy-fleet-illustrative = условный парк (в базе его нет; укажите ?units=МОДЕЛЬ:КВТ:ЧИСЛО,…)
energy-horizon = Горизонт
energy-fuel = Топливо
energy-max-units = Не более установок на учреждение
energy-objective = Покрытые взвешенные кВт
energy-bound = Верхняя граница
energy-gap = Разрыв
energy-facility = Учреждение
energy-region = Регион
energy-weight = Вес
energy-unmet-kw = Непокрытая критическая нагрузка, кВт
energy-units = Установки по моделям
energy-covered-kw = Покрыто, кВт
energy-binding = Ограничивающее условие
energy-export-csv = Выгрузить в CSV
energy-note = Непокрытая критическая нагрузка = работающее оборудование высокой и средней критичности минус имеющееся резервное питание (кВА × 0,8); оборудование без указанной мощности считается как 0. Зелёный: покрыто; оранжевый: частично; красный: не покрыто; серый: нечего покрывать.

# intake review
title-intake = Разбор входящих
intake-intro = Вставьте пресс-релиз или новость: aidtrace подготовит черновики фактов помощи, каждый со ссылкой на исходные слова, и проверит их по обменным курсам и имеющимся записям. Редакторы и администраторы принимают (при необходимости с правкой поле=значение) или отклоняют каждый факт; принятые факты становятся записями со ссылкой на статью.
intake-title = Заголовок (по умолчанию первая строка)
intake-url = Адрес (URL)
intake-published = Дата публикации
intake-text = Текст статьи
intake-submit = Подготовить факты
intake-queue = Очередь на проверку
intake-empty = Черновиков пока нет.
intake-no-facts = В статье не найдено фактов помощи.
intake-submitted-by = отправил
intake-donor = Донор
intake-recipient = Получатель
intake-items = Оборудование
intake-reason = Причина
intake-reviewed-by = проверил
intake-records = Записи
intake-accept = Принять
intake-reject = Отклонить
intake-check-fx-off = Указанный эквивалент не совпадает с курсом МВФ
intake-check-fx-ok = Указанный эквивалент совпадает с курсом МВФ
intake-check-fx-unchecked = Указанный эквивалент не проверен
intake-check-same-as = Совпадает с имеющимся потоком
intake-ratio = отношение
